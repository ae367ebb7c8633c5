using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ImagingCds.Security;

/// <summary>
/// Keys fetched from allow-listed JWK Set URLs, cached per URL. Only URLs of <see cref="TrustedClient.JkuUrls"/> ever
/// reach this class (a token's <c>jku</c> is compared to that list first and never fetched as such).
/// </summary>
/// <remarks>
/// A URL is fetched when its keys are first needed, when they are older than <see cref="SecurityOptions.JwksCacheSeconds"/>,
/// or when a <c>kid</c> is missing from them; never more often than once per <see cref="SecurityOptions.JwksMinRefreshSeconds"/>,
/// and one fetch at a time per URL (concurrent callers wait for it). A failed fetch keeps the keys already held.
/// Thread-safe.
/// </remarks>
internal sealed class JwksCache(IHttpClientFactory httpClients, IOptions<SecurityOptions> options, TimeProvider time, ILogger<JwksCache> logger)
{
    public const string HttpClientName = "cds-client-jwks";

    private readonly SecurityOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The keys held for <paramref name="url"/>, fetching them first if none are held yet or they are stale.</summary>
    public Task<JwksLookup> GetAsync(string url, CancellationToken cancellationToken) => LoadAsync(url, refresh: false, cancellationToken);

    /// <summary>Fetches <paramref name="url"/> again after a <c>kid</c> miss, unless it was fetched too recently.</summary>
    public Task<JwksLookup> RefreshAsync(string url, CancellationToken cancellationToken) => LoadAsync(url, refresh: true, cancellationToken);

    private async Task<JwksLookup> LoadAsync(string url, bool refresh, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(url, _ => new Entry());
        var held = entry.Current;
        if (!Wanted(held, refresh, time.GetUtcNow()))
        {
            return new JwksLookup(held.Keys, Fetched: false, Failed: false);
        }

        // Through the gate even when the rate limit forbids a fetch: a fetch in flight is waited for, not overtaken.
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have fetched while this one waited.
            var now = time.GetUtcNow();
            var current = entry.Current;
            if (!NeedsFetch(current, refresh, now))
            {
                return new JwksLookup(current.Keys, Fetched: false, Failed: false);
            }

            entry.Current = current with { LastAttempt = now };
            var keys = await FetchAsync(url);
            if (keys is null)
            {
                return new JwksLookup(current.Keys, Fetched: true, Failed: true);
            }

            entry.Current = new KeyState(keys, now, now);
            return new JwksLookup(keys, Fetched: true, Failed: false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>A fetch is wanted: a refresh was asked for, no keys were ever fetched, or they are stale.</summary>
    private bool Wanted(KeyState state, bool refresh, DateTimeOffset now) =>
        refresh || state.FetchedAt is not { } fetched || now - fetched >= TimeSpan.FromSeconds(_options.JwksCacheSeconds);

    /// <summary>A fetch is wanted and the rate limit allows it.</summary>
    private bool NeedsFetch(KeyState state, bool refresh, DateTimeOffset now) =>
        Wanted(state, refresh, now) &&
        (state.LastAttempt is not { } last || now - last >= TimeSpan.FromSeconds(_options.JwksMinRefreshSeconds));

    /// <summary>The signing keys at <paramref name="url"/>, or null (logged) when the fetch fails.</summary>
    private async Task<IReadOnlyList<JsonWebKey>?> FetchAsync(string url)
    {
        // The fetch is shared by every waiting request, so it runs to its own timeout, not to one caller's cancellation.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.JwksTimeoutSeconds), time);
        try
        {
            var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                SecurityLog.JwksFetchFailed(logger, url, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            if (response.Content.Headers.ContentLength > _options.JwksMaxBytes)
            {
                SecurityLog.JwksFetchFailed(logger, url, "larger than JwksMaxBytes");
                return null;
            }

            var body = await ReadCappedAsync(response.Content, _options.JwksMaxBytes, timeout.Token);
            if (body is null)
            {
                SecurityLog.JwksFetchFailed(logger, url, "larger than JwksMaxBytes");
                return null;
            }

            var keys = JwksDocument.SigningKeys(body, out var error);
            if (error is not null)
            {
                SecurityLog.JwksFetchFailed(logger, url, error);
                return null;
            }

            SecurityLog.JwksFetched(logger, url, keys.Count);
            return keys;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or System.Text.DecoderFallbackException)
        {
            SecurityLog.JwksFetchFailed(logger, url, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>The body as UTF-8 text, or null when it holds more than <paramref name="maxBytes"/> bytes.</summary>
    private static async Task<string?> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > maxBytes ? null : new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
    }

    /// <summary>One URL: a gate so one fetch runs at a time, and the current state, replaced whole (readers never see half an update).</summary>
    private sealed class Entry
    {
        private volatile KeyState _current = new([], null, null);

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public KeyState Current
        {
            get => _current;
            set => _current = value;
        }
    }

    /// <param name="FetchedAt">When <paramref name="Keys"/> were fetched; null before the first successful fetch.</param>
    /// <param name="LastAttempt">When the URL was last fetched, successfully or not: the rate limit counts from here.</param>
    private sealed record KeyState(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset? FetchedAt, DateTimeOffset? LastAttempt);
}

/// <summary>What <see cref="JwksCache"/> holds for one URL after a lookup.</summary>
/// <param name="Fetched">Whether this lookup fetched the URL (so a <c>kid</c> miss right after it needs no refresh).</param>
/// <param name="Failed">Whether this lookup's fetch failed.</param>
internal sealed record JwksLookup(IReadOnlyList<JsonWebKey> Keys, bool Fetched, bool Failed);
