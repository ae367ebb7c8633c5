using ImagingCds.Hooks;
using ImagingCds.Record;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static ImagingCds.Tests.Support.RecordSources;

namespace ImagingCds.Tests.Record;

public sealed class RecordRegistrationTests
{
    [Fact]
    public async Task AddPatientRecord_FhirServerRedirects_TokenIsNotFollowedElsewhere()
    {
        await using var server = await FakeFhirServer.StartAsync();
        await using var elsewhere = await FakeFhirServer.StartAsync();
        server.On("Condition", Reply.Redirect($"{elsewhere.BaseUrl}Condition?patient={PatientId}"));

        // A cold process may take longer than the default 400 ms budget to make its first request.
        using var host = Build(("Fhir:RecordBudget", "00:00:10"), ("Fhir:AttemptTimeout", "00:00:05"));

        var builder = await host.Services.GetRequiredService<FhirServerSource>()
            .ReadAsync(Query(server.BaseUrl), new HashSet<string>(["Condition"], StringComparer.Ordinal), CancellationToken.None);

        Assert.Empty(elsewhere.Requests);
        Assert.Single(server.Requests);
        Assert.Equal(GapReason.ServerError, Assert.Single(builder.Build().Gaps).Reason);
    }

    [Fact]
    public async Task AddPatientRecord_InvalidFhirOptions_RefusesToStart()
    {
        using var host = Build(("Fhir:RecordBudget", "00:00:00"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(FhirOptions.RecordBudget), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPatientRecord_FhirSection_BindsOptions()
    {
        using var host = Build(("Fhir:RecordBudget", "00:00:00.250"), ("Fhir:MaxRetries", "1"));

        var options = host.Services.GetRequiredService<IOptions<FhirOptions>>().Value;

        Assert.Equal((TimeSpan.FromMilliseconds(250), 1), (options.RecordBudget, options.MaxRetries));
    }

    /// <summary>A host with the record stage registered as the service registers it, and the real discovery document.</summary>
    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.Services.AddSingleton(ServiceCatalog.Load(Path.Combine(AppContext.BaseDirectory, "cds-services.json")));
        builder.AddPatientRecord();
        return builder.Build();
    }
}
