using System.Collections.Concurrent;
using System.Security.Cryptography;
using ImagingCds.Hooks;
using ImagingCds.Record;
using Microsoft.Extensions.Options;

namespace ImagingCds.Cards;

/// <summary>What a documentation form needs to re-evaluate one (order, policy) after the clinician answers.</summary>
/// <param name="BaseUrl">The service's public base URL when the form was opened (canonical Questionnaire URLs use it).</param>
public sealed record FormSession(string Token, PatientRecord Record, DraftOrder Order, string PolicyId, string RuleId, string UserId, string BaseUrl, DateTimeOffset Expires);

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
    /// Most FHIR resources kept for open forms (each form keeps its patient's record, about 1 KB of memory per
    /// resource); the oldest forms are dropped first. Default 100,000 (about 100 MB).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1_000, 100_000_000)]
    public int MaxRetainedResources { get; set; } = 100_000;
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
    private readonly Queue<(FormSession Session, int Resources)> _opened = new();
    private readonly Lock _gate = new();
    private PatientRecord? _newestRecord;
    private long _retainedResources;

    public FormSession Open(PatientRecord record, DraftOrder order, string policyId, string ruleId, string userId, string baseUrl)
    {
        var now = time.GetUtcNow();
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        var session = new FormSession(token, record, order, policyId, ruleId, userId, baseUrl, now + _options.TimeToLive);
        lock (_gate)
        {
            // The forms of one hook call share its record: it is counted once, with the first of them.
            var resources = ReferenceEquals(_newestRecord, record) ? 0 : record.ResourceCount;
            _newestRecord = record;
            _opened.Enqueue((session, resources));
            _retainedResources += resources;
            _sessions[token] = session;
            Sweep(now);
        }

        return session;
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

    /// <summary>FHIR resources held by the forms still in the store (the records of the newest forms).</summary>
    public long RetainedResources
    {
        get
        {
            lock (_gate)
            {
                return _retainedResources;
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        // The caps never drop the forms just opened (the newest record's): their links are about to be sent.
        while (_opened.TryPeek(out var oldest) &&
               (oldest.Session.Expires <= now ||
                (!ReferenceEquals(oldest.Session.Record, _newestRecord) &&
                 (_opened.Count > _options.MaxSessions || _retainedResources > _options.MaxRetainedResources))))
        {
            Drop();

            // The other forms of the same hook call hold the same record: they go with it, or it would stay in memory.
            while (_opened.TryPeek(out var sibling) && sibling.Resources == 0 && ReferenceEquals(sibling.Session.Record, oldest.Session.Record))
            {
                Drop();
            }
        }

        if (_opened.Count == 0)
        {
            _newestRecord = null;
        }
    }

    private void Drop()
    {
        var (session, resources) = _opened.Dequeue();
        _retainedResources -= resources;
        _sessions.TryRemove(session.Token, out _);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
