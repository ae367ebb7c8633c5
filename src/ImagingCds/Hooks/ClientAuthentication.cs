namespace ImagingCds.Hooks;

/// <summary>
/// CDS client authentication gate (DESIGN.md "HTTP surface"): in Development no JWT is needed (and the log says so);
/// in every other environment a CDS Hooks request without a valid client JWT gets a bare 401.
/// </summary>
/// <remarks>
/// Fail-closed: until trusted CDS clients are configured and their JWTs verified, nothing outside Development is
/// served on <c>/cds-services</c>. Health endpoints stay open for orchestrators.
/// </remarks>
internal static class ClientAuthentication
{
    public static IApplicationBuilder UseCdsClientAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Environment.IsDevelopment())
        {
            HookLog.NoAuthInDevelopment(app.Logger);
            return app;
        }

        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/cds-services", StringComparison.Ordinal) && !HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context);
        });
    }
}
