using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ImagingCds.Tests.Support;

/// <summary>Runs a test host on a real Kestrel port of 127.0.0.1 (chosen by the OS), for clients outside the test server.</summary>
internal static class LoopbackKestrel
{
    /// <returns>The address it listens on, e.g. <c>http://127.0.0.1:41234</c>.</returns>
    public static string StartOnLoopback(this WebApplicationFactory<Program> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }
}
