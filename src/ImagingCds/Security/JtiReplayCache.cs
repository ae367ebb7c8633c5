using System.Collections.Concurrent;

namespace ImagingCds.Security;

/// <summary>
/// Remembers the <c>jti</c> of every accepted CDS client JWT while that token could still be accepted, so a replayed
/// token is refused (https://cds-hooks.org/specification/current/#trusting-cds-clients).
/// </summary>
/// <remarks>
/// The in-memory <see cref="InMemoryJtiReplayCache"/> protects one process. Replicas behind a load balancer must share
/// the store, or a token replayed to another replica passes: implement this interface over a shared store with an
/// atomic set-if-absent and a time-to-live, e.g. Redis <c>SET cds-jti:{issuer}:{jti} 1 NX PXAT {expiresAt}</c>
/// (SETNX with TTL); the token was fresh when the command answers OK, replayed when it answers nil.
/// </remarks>
public interface IJtiReplayCache
{
    /// <summary>
    /// Records (<paramref name="issuer"/>, <paramref name="jti"/>) until <paramref name="expiresAt"/>, atomically.
    /// True if it was not already recorded (or its record had expired by <paramref name="now"/>); false for a replay.
    /// </summary>
    ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IJtiReplayCache"/> for a single process. Entries are dropped after they expire (a sweep runs at most once
/// a minute, on a write); only tokens that passed signature validation are recorded, so only trusted clients add entries,
/// each for at most <see cref="SecurityOptions.MaxTokenAgeSeconds"/>. Thread-safe.
/// </summary>
public sealed class InMemoryJtiReplayCache : IJtiReplayCache
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Issuer, string Jti), DateTimeOffset> _seen = new();
    private long _nextSweepTicks;

    /// <summary>How many entries are held, expired ones not yet swept included.</summary>
    public int Count => _seen.Count;

    public ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);
        Sweep(now);
        var key = (issuer, jti);
        while (true)
        {
            if (_seen.TryAdd(key, expiresAt))
            {
                return ValueTask.FromResult(true);
            }

            if (!_seen.TryGetValue(key, out var held))
            {
                continue; // swept meanwhile: try to add again
            }

            if (held > now)
            {
                return ValueTask.FromResult(false);
            }

            if (_seen.TryUpdate(key, expiresAt, held))
            {
                return ValueTask.FromResult(true);
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, next) != next)
        {
            return;
        }

        foreach (var (key, expiresAt) in _seen)
        {
            if (expiresAt <= now)
            {
                _seen.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>(key, expiresAt));
            }
        }
    }
}
