using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Replay;

/// <summary>
/// The service hosted in this process on an in-memory server, as run with <c>ASPNETCORE_ENVIRONMENT=Development</c>
/// (no CDS client JWT), its own configuration and guidelines, and no log output (the table is the output).
/// </summary>
/// <remarks>Feedback goes to a throw-away database that is deleted on disposal.</remarks>
internal sealed class InProcessService : WebApplicationFactory<Program>
{
    private readonly string _feedbackFolder = Path.Combine(Path.GetTempPath(), "imagingcds-replay-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder
        .UseEnvironment("Development")
        .UseSetting("Feedback:DatabasePath", Path.Combine(_feedbackFolder, "feedback.db"))
        .ConfigureLogging(logging => logging.ClearProviders());

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_feedbackFolder))
        {
            Directory.Delete(_feedbackFolder, recursive: true);
        }
    }
}
