using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ImagingCds.Tests.Support;

/// <summary>The service in memory, as run with <c>ASPNETCORE_ENVIRONMENT=Development</c> (no CDS client JWT needed).</summary>
public sealed class CdsServiceFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Development");
}
