using System.Net;

namespace ImagingCds.LoadTest;

/// <summary>What one invocation of the load tool does. Only loopback targets are accepted.</summary>
public sealed record LoadOptions
{
    public const string ServicePath = "cds-services/spine-mri-appropriateness";
    public const string DefaultBody = "fhir-fixtures/examples/lumbar-foot-drop/request.json";

    public required Uri Url { get; init; }
    public int Rate { get; init; } = 50;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public int Concurrency { get; init; } = 64;
    public string BodyPath { get; init; } = DefaultBody;
    public int Runs { get; init; } = 3;
    public int? Pid { get; init; }

    /// <summary>The endpoint the requests are POSTed to.</summary>
    public Uri Endpoint => new(new Uri(Url.GetLeftPart(UriPartial.Authority) + "/"), ServicePath);

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> on anything invalid, including a non-loopback host.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Uri? url = null;
        var options = new LoadOptions { Url = new Uri("http://127.0.0.1/") };
        foreach (var (name, value) in CommandLine.Pairs(args))
        {
            options = name switch
            {
                "--url" => options with { Url = url = ParseUrl(value) },
                "--rate" => options with { Rate = CommandLine.Positive(name, value) },
                "--duration" => options with { Duration = CommandLine.Seconds(name, value) },
                "--concurrency" => options with { Concurrency = CommandLine.Positive(name, value) },
                "--body" => options with { BodyPath = value },
                "--runs" => options with { Runs = CommandLine.Positive(name, value) },
                "--pid" => options with { Pid = CommandLine.Positive(name, value) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return url is null ? throw new ArgumentException("--url http://127.0.0.1:PORT is required") : options;
    }

    /// <summary>An absolute http(s) URL whose host is localhost, 127.0.0.0/8 or ::1.</summary>
    public static Uri ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--url must be an absolute http(s) URL, not '{value}'");
        }

        return IsLoopback(url.IdnHost) ? url : throw new ArgumentException($"--url must point at loopback (127.0.0.0/8, ::1 or localhost), not '{url.Host}'");
    }

    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
