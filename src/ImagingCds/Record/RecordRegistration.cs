using Microsoft.Extensions.DependencyInjection.Extensions;
using ImagingCds.Hooks;
using Polly.Registry;

namespace ImagingCds.Record;

/// <summary>Registration of the record stage: prefetch, the FHIR client and its resilience pipelines.</summary>
public static class RecordRegistration
{
    public static IHostApplicationBuilder AddPatientRecord(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FhirOptions>().BindConfiguration(FhirOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Redirects are never followed: a FHIR server must not send the token's requests elsewhere. The framework's
        // request logging is replaced: it writes each URL at Information, and a read URL holds the patient's id.
        builder.Services.TryAddSingleton<FhirHttpLogger>();
        builder.Services.AddHttpClient(FhirServerSource.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .RemoveAllLoggers()
            .AddLogger<FhirHttpLogger>(wrapHandlersPipeline: true);

        // One pipeline, hence one circuit breaker, per FHIR server origin.
        builder.Services.AddSingleton<ResiliencePipelineRegistry<string>>();
        builder.Services.AddSingleton<FhirPipelines>();
        builder.Services.AddSingleton(sp => new PrefetchSource(sp.GetRequiredService<ServiceCatalog>().Prefetch));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<FhirServerSource>(sp, sp.GetRequiredService<ServiceCatalog>().Prefetch));
        builder.Services.AddSingleton<PatientRecordAssembler>();
        return builder;
    }
}
