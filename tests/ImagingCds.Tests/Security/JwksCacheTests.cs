using System.Net;
using ImagingCds.Security;
using ImagingCds.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImagingCds.Tests.Security;

public sealed class JwksCacheTests
{
    private const string Url = "https://keys.example.org/jwks.json";

    private readonly FakeClock _clock = new(SecuredService.Start);
    private readonly JwksServer _server = new();

    [Fact]
    public async Task GetAsync_TwiceWithinCacheLifetime_FetchesOnce()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();

        var first = await cache.GetAsync(Url, default);
        _clock.Advance(TimeSpan.FromMinutes(30));
        var second = await cache.GetAsync(Url, default);

        Assert.True(first.Fetched);
        Assert.False(second.Fetched);
        Assert.Equal(SecuredService.BEc.Kid, Assert.Single(second.Keys).Kid);
        Assert.Equal(1, _server.Fetches(Url));
    }

    [Fact]
    public async Task GetAsync_AfterCacheLifetime_FetchesAgain()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();
        await cache.GetAsync(Url, default);
        _clock.Advance(TimeSpan.FromSeconds(3600));

        var lookup = await cache.GetAsync(Url, default);

        Assert.True(lookup.Fetched);
        Assert.Equal(2, _server.Fetches(Url));
    }

    [Fact]
    public async Task RefreshAsync_WithinMinRefresh_DoesNotFetch()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();
        await cache.GetAsync(Url, default);
        _clock.Advance(TimeSpan.FromSeconds(29));

        var lookup = await cache.RefreshAsync(Url, default);

        Assert.False(lookup.Fetched);
        Assert.Equal(1, _server.Fetches(Url));
    }

    [Fact]
    public async Task RefreshAsync_AfterMinRefresh_Fetches()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();
        await cache.GetAsync(Url, default);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var lookup = await cache.RefreshAsync(Url, default);

        Assert.True(lookup.Fetched);
        Assert.Equal(2, _server.Fetches(Url));
    }

    [Fact]
    public async Task RefreshAsync_FetchFails_KeepsTheKeysHeld()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();
        await cache.GetAsync(Url, default);
        _server.Failure = HttpStatusCode.InternalServerError;
        _clock.Advance(TimeSpan.FromMinutes(1));

        var lookup = await cache.RefreshAsync(Url, default);

        Assert.True(lookup.Failed);
        Assert.Equal(SecuredService.BEc.Kid, Assert.Single(lookup.Keys).Kid);
    }

    [Fact]
    public async Task GetAsync_DocumentOverMaxBytes_Discarded()
    {
        var padded = ClientTokens.Jwks(SecuredService.BEc).Insert(1, $"\"padding\":\"{new string('x', 4096)}\",");
        _server.Serve(Url, padded);
        var cache = Cache(maxBytes: 2048);

        var lookup = await cache.GetAsync(Url, default);

        Assert.True(lookup.Failed);
        Assert.Empty(lookup.Keys);
    }

    [Fact]
    public async Task GetAsync_ConcurrentFirstUse_FetchesOnce()
    {
        _server.Serve(Url, ClientTokens.Jwks(SecuredService.BEc));
        var cache = Cache();

        var lookups = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => cache.GetAsync(Url, default))));

        Assert.All(lookups, l => Assert.Single(l.Keys));
        Assert.Equal(1, _server.Fetches(Url));
    }

    private JwksCache Cache(int maxBytes = 64 * 1024) => new(
        new StubHttpClients(new JwksServer.Handler(_server)),
        Options.Create(new SecurityOptions { JwksMaxBytes = maxBytes }),
        _clock,
        NullLogger<JwksCache>.Instance);

    private sealed class StubHttpClients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
