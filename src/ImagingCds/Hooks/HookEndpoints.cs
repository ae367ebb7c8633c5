using Microsoft.Extensions.DependencyInjection.Extensions;
using ImagingCds.Record;
using Microsoft.Extensions.Options;

namespace ImagingCds.Hooks;

/// <summary>Registration and routes of the CDS Hooks surface (DESIGN.md "HTTP surface").</summary>
public static class HookEndpoints
{
    public const string CorsPolicy = "cds-clients";

    /// <summary>
    /// How long a graceful shutdown (SIGTERM, <c>StopApplication</c>) may take: Kestrel stops accepting connections at
    /// once, hook calls in flight finish (each is bounded by <c>Fhir:RecordBudget</c>), then the issued-card queue is
    /// written. 15 s: ample for that, and inside the 30 s Kubernetes and Docker wait before they kill the process.
    /// The host's own setting <c>shutdownTimeoutSeconds</c> wins when it is given.
    /// </summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The host configuration key for the shutdown timeout, in whole seconds (read by <see cref="HostOptions"/>).</summary>
    private const string ShutdownTimeoutKey = "shutdownTimeoutSeconds";

    public static IHostApplicationBuilder AddHooks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HookOptions>().BindConfiguration(HookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var file = sp.GetRequiredService<IOptions<HookOptions>>().Value.DiscoveryFile;
            var path = Path.IsPathRooted(file) ? file : Path.Combine(AppContext.BaseDirectory, file);
            return ServiceCatalog.Load(path);
        });
        builder.Services.AddSingleton<OrderSignHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.TryAddSingleton(TimeProvider.System);
        var configuration = builder.Configuration;
        builder.Services.Configure<HostOptions>(host =>
        {
            if (string.IsNullOrEmpty(configuration[ShutdownTimeoutKey]))
            {
                host.ShutdownTimeout = DefaultShutdownTimeout;
            }
        });

        // Browser clients such as the CDS Hooks sandbox call directly and send Authorization.
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy =>
            policy.AllowAnyOrigin().WithMethods("GET", "POST", "OPTIONS").WithHeaders("Authorization", "Content-Type")));
        return builder;
    }

    public static IEndpointRouteBuilder MapHooks(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved here so a broken discovery file or guideline library stops start-up with its message.
        var catalog = app.ServiceProvider.GetRequiredService<ServiceCatalog>();
        _ = app.ServiceProvider.GetRequiredService<Guidelines.GuidelineLibrary>();
        var hooks = app.MapGroup("/cds-services").RequireCors(CorsPolicy);
        hooks.MapGet("/", () => TypedResults.Bytes(catalog.Document.ToArray(), "application/json"));
        hooks.MapPost("/{serviceId}", (string serviceId, HttpRequest request, OrderSignHandler handler, CancellationToken cancellationToken) =>
            serviceId == ServiceCatalog.ServiceId
                ? handler.HandleAsync(request, cancellationToken)
                : Task.FromResult<IResult>(Problems.From(new HookRequestError(404, "unknown-service", $"no CDS service has id '{serviceId}'", "serviceId"))));

        app.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("ok")));
        app.MapGet("/readyz", (HttpContext context, FhirPipelines pipelines) => Readiness.Check(context.RequestServices, pipelines));
        return app;
    }
}

/// <summary>Body of the health endpoints.</summary>
public sealed record HealthStatus(string Status);
