using System.Collections.Concurrent;
using System.Security.Cryptography;
using ImagingCds.Hooks;
using ImagingCds.Record;
using Microsoft.Extensions.Options;

namespace ImagingCds.Cards;

/// <summary>What a documentation form needs to re-evaluate one (order, policy) after the clinician answers.</summary>
/// <param name="BaseUrl">The service's public base URL when the form was opened (canonical Questionnaire URLs use it).</param>
/// <param name="Record">The patient's record, kept compactly as the JSON it was read from.</param>
public sealed record FormSession(string Token, RecordSnapshot Record, DraftOrder Order, string PolicyId, string RuleId, string UserId, string BaseUrl, DateTimeOffset Expires);

/// <summary>Documentation form settings (section <c>Forms</c>).</summary>
public sealed class FormOptions
{
    public const string Section = "Forms";

    /// <summary>How long a form link stays valid after the hook call. Default 30 minutes.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Most open forms kept; the oldest are dropped first. Default 10,000.</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 1_000_000)]
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>
    /// Most bytes of record JSON kept for open forms (each form keeps its patient's record as the JSON it was read
    /// from); the oldest calls' forms are dropped first, never the newest. Default 16 MiB: about 120 calls with a
    /// 500-resource prefetch (~137 KB each), and it keeps the service's peak working set under 300 MB at full load
    /// (docs/performance.md). Size it as forms opened per minute × minutes a link must work × typical prefetch size.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1L << 20, 1L << 40)]
    public long MaxRetainedBytes { get; set; } = 16L << 20;
}

/// <summary>
/// Evaluation contexts behind form links, in memory with a time-to-live. A link carries only an opaque random
/// token (128 bits, no PHI); the record stays server-side and expires.
/// </summary>
/// <remarks>
/// Thread safe. Several replicas behind a load balancer must either pin form links to the replica that made them
/// (sticky sessions on the <c>/forms/</c> path) or replace this store with a shared one (Redis or a database
/// table keyed by token with an expiry column); the store is the only state the form needs.
/// </remarks>
public sealed class FormSessions(TimeProvider time, IOptions<FormOptions> options)
{
    private readonly ConcurrentDictionary<string, FormSession> _sessions = new(StringComparer.Ordinal);
    private readonly FormOptions _options = options.Value;

    // Sessions in the order opened. One time-to-live for all makes it also the order they expire, so expiry and the
    // caps are enforced from the head: constant work per form opened, however many are open.
    private readonly Queue<(FormSession Session, long Bytes)> _opened = new();
    private readonly Lock _gate = new();
    private (PatientRecord Record, RecordSnapshot Snapshot)? _newest;
    private long _retainedBytes;

    public FormSession Open(PatientRecord record, DraftOrder order, string policyId, string ruleId, string userId, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = time.GetUtcNow();
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        lock (_gate)
        {
            // The forms of one hook call share its record: one snapshot, counted once, with the first of them.
            var shared = _newest is { } newest && ReferenceEquals(newest.Record, record);
            var snapshot = shared ? _newest!.Value.Snapshot : RecordSnapshot.Of(record);
            _newest = (record, snapshot);
            var session = new FormSession(token, snapshot, order, policyId, ruleId, userId, baseUrl, now + _options.TimeToLive);
            var bytes = shared ? 0 : snapshot.Bytes;
            _opened.Enqueue((session, bytes));
            _retainedBytes += bytes;
            _sessions[token] = session;
            Sweep(now);
            return session;
        }
    }

    /// <summary>The session, or null when the token is unknown or expired.</summary>
    public FormSession? Find(string token)
    {
        if (!_sessions.TryGetValue(token, out var session))
        {
            return null;
        }

        if (session.Expires > time.GetUtcNow())
        {
            return session;
        }

        _sessions.TryRemove(token, out _);
        return null;
    }

    public int Count => _sessions.Count;

    /// <summary>Bytes of record JSON held for the forms still in the store.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_gate)
            {
                return _retainedBytes;
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        // The caps never drop the forms just opened (the newest record's): their links are about to be sent.
        var newest = _newest?.Snapshot;
        while (_opened.TryPeek(out var oldest) &&
               (oldest.Session.Expires <= now ||
                (!ReferenceEquals(oldest.Session.Record, newest) &&
                 (_opened.Count > _options.MaxSessions || _retainedBytes > _options.MaxRetainedBytes))))
        {
            Drop();

            // The other forms of the same hook call hold the same snapshot: they go with it, or it would stay in memory.
            while (_opened.TryPeek(out var sibling) && sibling.Bytes == 0 && ReferenceEquals(sibling.Session.Record, oldest.Session.Record))
            {
                Drop();
            }
        }

        if (_opened.Count == 0)
        {
            _newest = null;
        }
    }

    private void Drop()
    {
        var (session, bytes) = _opened.Dequeue();
        _retainedBytes -= bytes;
        _sessions.TryRemove(session.Token, out _);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
