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

    public FormSession Open(PatientRecord record, DraftOrder order, string policyId, string ruleId, string userId, string baseUrl)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        var session = new FormSession(token, record, order, policyId, ruleId, userId, baseUrl, now + _options.TimeToLive);
        _sessions[token] = session;
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

    private void Sweep(DateTimeOffset now)
    {
        foreach (var expired in _sessions.Where(s => s.Value.Expires <= now).Select(s => s.Key).ToArray())
        {
            _sessions.TryRemove(expired, out _);
        }

        var excess = _sessions.Count - _options.MaxSessions + 1;
        foreach (var oldest in excess > 0 ? _sessions.OrderBy(s => s.Value.Expires).Take(excess).Select(s => s.Key).ToArray() : [])
        {
            _sessions.TryRemove(oldest, out _);
        }
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
