using System.Collections.Concurrent;

namespace ImagingCds.Performance;

/// <summary>
/// Valid JSON texts of an exact UTF-8 size, <c>{"cards":[],"floor":"xxx…"}</c>, built once per size: the floor endpoint
/// must cost only what the HTTP stack costs, not the building of its answer.
/// </summary>
internal sealed class CannedBodies
{
    private const string Head = "{\"cards\":[],\"floor\":\"";
    private const string Tail = "\"}";

    /// <summary>A few sizes are enough for a load run; past that, bodies are built per call so the cache cannot grow without bound.</summary>
    private const int MaxCachedSizes = 16;

    private readonly ConcurrentDictionary<int, string> _bySize = new();

    /// <summary>The smallest body: the envelope with an empty padding string.</summary>
    public static int MinBytes => Head.Length + Tail.Length;

    /// <summary>A body of exactly <paramref name="bytes"/> bytes (all ASCII, so characters and bytes agree).</summary>
    public string Of(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, MinBytes);
        if (_bySize.TryGetValue(bytes, out var cached))
        {
            return cached;
        }

        var body = string.Concat(Head, new string('x', bytes - MinBytes), Tail);
        return _bySize.Count < MaxCachedSizes ? _bySize.GetOrAdd(bytes, body) : body;
    }
}
