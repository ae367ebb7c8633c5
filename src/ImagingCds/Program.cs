using ImagingCds.Cards;
using ImagingCds.Feedback;
using ImagingCds.Guidelines;
using ImagingCds.Hooks;
using ImagingCds.Performance;
using ImagingCds.Record;
using ImagingCds.Security;

if (args is [HealthProbe.Flag, var url])
{
    return HealthProbe.Run(url);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddHooks();
builder.AddCdsClientAuthentication();
builder.AddPatientRecord();
builder.AddGuidelines();
builder.AddCards();
builder.AddFeedback();
builder.AddPerformanceFloor();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseCdsClientAuthentication();
app.MapHooks();
app.MapCards();
app.MapFeedback();
app.MapPerformanceFloor();
app.Run();
return 0;

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
