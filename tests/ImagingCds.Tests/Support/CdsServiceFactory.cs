using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ImagingCds.Tests.Support;

/// <summary>The service in memory, as run with <c>ASPNETCORE_ENVIRONMENT=Development</c> (no CDS client JWT needed).</summary>
public sealed class CdsServiceFactory : WebApplicationFactory<Program>
{
    // Feedback goes to a throw-away database, never under the source tree (the default is data/ under the content root).
    private readonly string _feedbackFolder = Path.Combine(Path.GetTempPath(), "imagingcds-tests-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder
        .UseEnvironment("Development")
        .UseSetting("Feedback:DatabasePath", Path.Combine(_feedbackFolder, "feedback.db"));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_feedbackFolder))
        {
            Directory.Delete(_feedbackFolder, recursive: true);
        }
    }
}
