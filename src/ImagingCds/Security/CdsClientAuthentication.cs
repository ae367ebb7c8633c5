using ImagingCds.Hooks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ImagingCds.Security;

/// <summary>
/// CDS client authentication (DESIGN.md "HTTP surface"; https://cds-hooks.org/specification/current/#trusting-cds-clients):
/// outside Development every request under <c>/cds-services</c>, discovery included, must carry a JWT of a trusted
/// client (<see cref="SecurityOptions"/>), else it gets a bare 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>
/// and the log names the reason. CORS preflights pass (browsers send them without credentials); health endpoints stay open.
/// In Development no JWT is checked, and the log says so.
/// </summary>
public static class CdsClientAuthentication
{
    /// <summary>The path every CDS Hooks endpoint lives under.</summary>
    public const string ProtectedPath = "/cds-services";

    private const string LogCategory = "ImagingCds.Security.CdsClientAuthentication";

    public static IHostApplicationBuilder AddCdsClientAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IJtiReplayCache, InMemoryJtiReplayCache>();
        builder.Services.TryAddSingleton<JwksCache>();
        builder.Services.TryAddSingleton<ClientTokenValidator>();

        // Key sets come only from allow-listed URLs: no redirects (they would leave the list), no cookies, a short timeout.
        builder.Services.AddHttpClient(JwksCache.HttpClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<SecurityOptions>>().Value;
                client.Timeout = TimeSpan.FromSeconds(options.JwksTimeoutSeconds);
                client.MaxResponseContentBufferSize = options.JwksMaxBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxResponseHeadersLength = 32 });
        return builder;
    }

    /// <summary>Adds the authentication step; call it after <c>UseCors</c> and before the CDS Hooks endpoints are mapped.</summary>
    public static WebApplication UseCdsClientAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Environment.IsDevelopment())
        {
            SecurityLog.NoAuthInDevelopment(app.Logger);
            app.Use((context, next) =>
            {
                if (Protects(context.Request))
                {
                    context.Features.Set(CdsCaller.Unauthenticated);
                }

                return next(context);
            });
            return app;
        }

        var validator = app.Services.GetRequiredService<ClientTokenValidator>();
        var publicBaseUrl = app.Services.GetRequiredService<IOptions<HookOptions>>().Value.PublicBaseUrl;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        if (validator.ClientCount == 0)
        {
            SecurityLog.NoClients(logger);
        }
        else
        {
            SecurityLog.ClientsConfigured(logger, validator.ClientCount);
        }

        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!Protects(request) || IsCorsPreflight(request))
            {
                await next(context);
                return;
            }

            var outcome = await validator.ValidateAsync(request.Headers.Authorization, CalledUrl(request, publicBaseUrl), context.RequestAborted);
            if (outcome.Client is not { } client)
            {
                await new InvalidTokenResult(outcome.Failure ?? RejectReason.MissingToken, outcome.ClaimedIssuer).ExecuteAsync(context);
                return;
            }

            SecurityLog.Authenticated(logger, client.Issuer, request.Method, request.Path);
            context.Features.Set(CdsCaller.For(client));
            await next(context);
        });
        return app;
    }

    /// <summary>
    /// The hook's <c>fhirServer</c> check, right after the body is parsed: null when the caller may have the service call
    /// <paramref name="fhirServer"/> (or there is none), else the bare 401 to answer. Fails closed when no caller was established.
    /// </summary>
    public static IResult? RefuseFhirServer(HttpContext context, Uri? fhirServer)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (fhirServer is null)
        {
            return null;
        }

        var caller = context.Features.Get<CdsCaller>();
        return caller is not null && caller.MayUseFhirServer(fhirServer)
            ? null
            : new InvalidTokenResult(RejectReason.FhirServerNotAllowed, caller?.Client?.Issuer);
    }

    /// <summary>Under <c>/cds-services</c>, compared as routing does (case-insensitively), so no spelling slips past.</summary>
    private static bool Protects(HttpRequest request) =>
        request.Path.StartsWithSegments(ProtectedPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>A CORS preflight: OPTIONS with <c>Origin</c> and <c>Access-Control-Request-Method</c> (other OPTIONS need a JWT).</summary>
    private static bool IsCorsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) &&
        request.Headers.ContainsKey(HeaderNames.Origin) &&
        request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>scheme://host/path the client called; behind a proxy, <c>Hooks:PublicBaseUrl</c> replaces scheme, host and path base.</summary>
    private static string CalledUrl(HttpRequest request, string? publicBaseUrl) =>
        (publicBaseUrl?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}") + request.Path;

    /// <summary>The bare 401: no body, <c>WWW-Authenticate: Bearer error="invalid_token"</c>; the reason goes to the log only.</summary>
    private sealed class InvalidTokenResult(RejectReason reason, string? claimedIssuer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var logger = httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
            SecurityLog.Refused(logger, reason.Code(), httpContext.Request.Method, httpContext.Request.Path, claimedIssuer ?? "-");

            // Status code pages would otherwise write a body into this response.
            if (httpContext.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }

            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }
    }

    /// <summary>Start-up validation of <see cref="SecurityOptions.Clients"/>; the messages name each setting at fault.</summary>
    private sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
    {
        public ValidateOptionsResult Validate(string? name, SecurityOptions options)
        {
            TrustedClients.From(options, out var errors);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
