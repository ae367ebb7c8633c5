using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ImagingCds.Tests.Support;

/// <summary>
/// The service on a real loopback port (Kestrel, Development, a <see cref="FakeClock"/>) and a headless Chromium to
/// drive it. Chromium is Debian's <c>/usr/bin/chromium</c>, not Playwright's download (which cannot work here).
/// </summary>
/// <remarks>
/// A missing Chromium fails every test that uses this fixture with a message saying how to install it; the browser
/// tests never pass by skipping. CI (<c>.ci/run</c>) installs it with apt-get.
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes a fixture through IAsyncLifetime.DisposeAsync")]
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    // Quiet, offline-safe flags: no sandbox (runs as root in CI containers), no GPU, no background traffic.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private readonly CdsServiceFactory _service = new();
    private WebApplicationFactory<Program>? _live;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    // The service's clock: form links expire by it. Starts at 2026-11-20 15:00 UTC.
    private readonly FakeClock _clock = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));

    /// <summary>Where the service listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the fixture is not initialized");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ChromiumPath}; the browser tests need it. Install it with " +
                "`apt-get update && apt-get install -y chromium` (as root), as .ci/run does.");
        }

        _live = _service.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        _live.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _live.StartServer();
        var address = _live.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Moves the service's clock forward (form links expire by it).</summary>
    public void AdvanceClock(TimeSpan by) => _clock.Advance(by);

    /// <summary>A client that talks to the listening socket (not the in-memory test server).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A fresh browser context (no shared cookies or storage) with a fixed viewport, so screenshots are stable.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1000, Height = 800 },
            Locale = "en-US",
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_live is not null)
        {
            await _live.DisposeAsync();
        }

        await _service.DisposeAsync();
    }
}
