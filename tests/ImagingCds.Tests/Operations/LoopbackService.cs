using System.Net;
using ImagingCds.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

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
        _service.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _service.StartServer();
        Address = _service.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }

    /// <summary>E.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _root.DisposeAsync();
    }
}
