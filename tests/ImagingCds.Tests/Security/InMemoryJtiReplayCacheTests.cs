using ImagingCds.Security;

namespace ImagingCds.Tests.Security;

public sealed class InMemoryJtiReplayCacheTests
{
    private static readonly DateTimeOffset Now = SecuredService.Start;

    [Fact]
    public async Task TryRecordAsync_SameIssuerAndJtiWithinLife_SecondIsFalse()
    {
        var cache = new InMemoryJtiReplayCache();

        Assert.True(await cache.TryRecordAsync("iss", "jti-1", Now.AddMinutes(5), Now, default));
        Assert.False(await cache.TryRecordAsync("iss", "jti-1", Now.AddMinutes(5), Now.AddMinutes(4), default));
    }

    [Fact]
    public async Task TryRecordAsync_SameJtiFromAnotherIssuer_IsTrue()
    {
        var cache = new InMemoryJtiReplayCache();
        await cache.TryRecordAsync("iss-a", "jti-1", Now.AddMinutes(5), Now, default);

        Assert.True(await cache.TryRecordAsync("iss-b", "jti-1", Now.AddMinutes(5), Now, default));
    }

    [Fact]
    public async Task TryRecordAsync_AfterTheRecordExpired_IsTrueAgain()
    {
        var cache = new InMemoryJtiReplayCache();
        await cache.TryRecordAsync("iss", "jti-1", Now.AddMinutes(5), Now, default);

        Assert.True(await cache.TryRecordAsync("iss", "jti-1", Now.AddMinutes(15), Now.AddMinutes(5), default));
    }

    [Fact]
    public async Task TryRecordAsync_ExpiredEntries_AreSweptOnALaterWrite()
    {
        var cache = new InMemoryJtiReplayCache();
        for (var i = 0; i < 100; i++)
        {
            await cache.TryRecordAsync("iss", $"jti-{i}", Now.AddMinutes(5), Now, default);
        }

        await cache.TryRecordAsync("iss", "late", Now.AddMinutes(20), Now.AddMinutes(10), default);

        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task TryRecordAsync_ConcurrentSameJti_ExactlyOneTrue()
    {
        var cache = new InMemoryJtiReplayCache();

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            Task.Run(async () => await cache.TryRecordAsync("iss", "jti-race", Now.AddMinutes(5), Now, default))));

        Assert.Single(results, r => r);
    }
}
