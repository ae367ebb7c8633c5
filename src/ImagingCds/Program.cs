using ImagingCds.Guidelines;
using ImagingCds.Hooks;
using ImagingCds.Record;

var builder = WebApplication.CreateBuilder(args);
builder.AddHooks();
builder.AddPatientRecord();
builder.AddGuidelines();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.MapHooks();
app.Run();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
