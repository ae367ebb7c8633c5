using System.Globalization;
using ImagingCds.Hooks;
using Microsoft.Extensions.Options;

namespace ImagingCds.Performance;

/// <summary>
/// <c>POST /cds-services/{serviceId}/floor?bytes=N</c>: the hook's route with none of its work. It reads the body as the
/// hook does and answers 200 <c>application/json</c> with a canned body of exactly N bytes, so a load run can set the
/// hook's latency against what the same request and answer cost through the same middleware (CORS, CDS client
/// authentication, routing) on the same connections. Mapped only when <c>Performance:FloorEndpoint</c> is true.
/// </summary>
public static class FloorEndpoint
{
    public const string Route = "/{serviceId}/floor";

    public static IHostApplicationBuilder AddPerformanceFloor(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PerformanceOptions>().BindConfiguration(PerformanceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CannedBodies>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPerformanceFloor(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ServiceProvider.GetRequiredService<IOptions<PerformanceOptions>>().Value;
        if (!options.FloorEndpoint)
        {
            return app;
        }

        // The hook's own group prefix and CORS policy, so the authentication middleware guards it like the hook.
        app.MapGroup(Security.CdsClientAuthentication.ProtectedPath).RequireCors(HookEndpoints.CorsPolicy)
            .MapPost(Route, (string serviceId, HttpRequest request, CannedBodies bodies, IOptions<HookOptions> limits, CancellationToken cancellationToken) =>
                AnswerAsync(serviceId, request, bodies, limits.Value.MaxRequestBytes, options.FloorMaxBytes, cancellationToken));
        return app;
    }

    private static async Task<IResult> AnswerAsync(
        string serviceId, HttpRequest request, CannedBodies bodies, long maxRequestBytes, int maxBodyBytes, CancellationToken cancellationToken)
    {
        if (serviceId != ServiceCatalog.ServiceId)
        {
            return Problems.From(new HookRequestError(404, "unknown-service", $"no CDS service has id '{serviceId}'", "serviceId"));
        }

        if (!int.TryParse(request.Query["bytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ||
            bytes < CannedBodies.MinBytes || bytes > maxBodyBytes)
        {
            return Problems.From(new HookRequestError(400, "invalid-floor-size", $"'bytes' must be a whole number from {CannedBodies.MinBytes} to {maxBodyBytes}", "bytes"));
        }

        // Read whole, as the hook reads it: receiving the body is part of the floor.
        if (await BoundedBody.ReadAsync(request, maxRequestBytes, cancellationToken) is null)
        {
            return Problems.From(new HookRequestError(413, "body-too-large", $"the request body is larger than {maxRequestBytes} bytes", string.Empty));
        }

        // The hook's result type, so the answer takes the same write path (string → UTF-8, Content-Length).
        return TypedResults.Content(bodies.Of(bytes), "application/json");
    }
}
