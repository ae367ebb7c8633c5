using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ImagingCds.Tests.Operations;

/// <summary>The service (Development, as <see cref="CdsServiceFactory"/>) on a real loopback Kestrel port, for the load tool to drive.</summary>
internal sealed class LoopbackService : IAsyncDisposable
{
    private readonly CdsServiceFactory _root = new();
    private readonly WebApplicationFactory<Program> _service;

    /// <param name="settings">Configuration on top of the defaults, e.g. <c>("Performance:FloorEndpoint", "true")</c>.</param>
    public LoopbackService(params (string Key, string Value)[] settings)
    {
        _service = _root.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        Address = _service.StartOnLoopback();
    }

    /// <summary>E.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _root.DisposeAsync();
    }
}
