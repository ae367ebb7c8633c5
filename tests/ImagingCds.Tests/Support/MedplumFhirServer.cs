using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ImagingCds.Tests.Support;

/// <summary>
/// A real FHIR R4 server on a loopback port: <c>node tools/fhir-server/server.mjs</c> (medplum's FhirRouter over its
/// MemoryRepository; see that file). It requires a bearer token, <see cref="AccessToken"/>, on every FHIR request.
/// </summary>
/// <remarks>
/// A missing <c>node</c> or <c>tools/fhir-server/node_modules</c> fails every test that uses it, with a message
/// saying how to install them; the tests never pass by skipping. CI (<c>.ci/run</c>) installs both. The server stops
/// when this fixture is disposed, and on its own when the test host dies (it exits when its standard input closes).
/// </remarks>
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes a fixture through IAsyncLifetime.DisposeAsync")]
public sealed class MedplumFhirServer : IAsyncLifetime
{
    /// <summary>How long the server may take to load the FHIR definitions and listen (a cold 2-core machine is slow).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _stderr = new();
    private readonly HttpClient _admin = new() { Timeout = TimeSpan.FromSeconds(60) };
    private Process? _process;

    /// <summary>The FHIR base URL, e.g. <c>http://127.0.0.1:41234/fhir/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The bearer token the server requires (fresh for each server).</summary>
    public string AccessToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task InitializeAsync()
    {
        var script = Repo.File("tools/fhir-server/server.mjs");
        if (!File.Exists(Repo.File("tools/fhir-server/node_modules/@medplum/fhir-router/package.json")))
        {
            throw new InvalidOperationException(
                "tools/fhir-server/node_modules is missing; the FHIR server replay needs it. Install it with " +
                "`npm ci --prefix tools/fhir-server` (Node.js 20.19+ and npm), as .ci/run does.");
        }

        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            "`node` is not on PATH; the FHIR server replay runs tools/fhir-server/server.mjs with it. Install Node.js 20.19+ " +
            "(e.g. `apt-get install -y nodejs npm`), as .ci/run does.");

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = Repo.File("tools/fhir-server"),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--port", "0", "--token", AccessToken, "--exit-on-stdin-close" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {node}");
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();

        // The first line on stdout is {"port":N,"base":"http://127.0.0.1:N/fhir/"}.
        using var timeout = new CancellationTokenSource(StartTimeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        if (line is null)
        {
            throw new InvalidOperationException($"tools/fhir-server/server.mjs did not start within {StartTimeout.TotalSeconds} s: {Errors()}");
        }

        using var ready = JsonDocument.Parse(line);
        BaseUrl = new Uri(ready.RootElement.GetProperty("base").GetString()!);
    }

    /// <summary>
    /// Loads resources (a Bundle) into the server. The server validates each against the FHIR R4 definitions and
    /// loads none if any is invalid; that failure names each invalid resource and what is wrong with it.
    /// </summary>
    public async Task LoadAsync(JsonObject bundle)
    {
        using var content = new StringContent(bundle.ToJsonString(), Encoding.UTF8, "application/fhir+json");
        using var response = await _admin.PostAsync(new Uri(BaseUrl, "/admin/load"), content);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            var issues = JsonNode.Parse(body)?["issue"]?.AsArray().Select(i => (string?)i?["diagnostics"]) ?? [body];
            throw new InvalidOperationException($"the FHIR server refused the record ({(int)response.StatusCode}):\n  {string.Join("\n  ", issues)}");
        }
    }

    /// <summary>Forgets every resource loaded so far.</summary>
    public async Task ResetAsync()
    {
        using var response = await _admin.PostAsync(new Uri(BaseUrl, "/admin/reset"), content: null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The FHIR requests the server answered since the last reset, in order: method, path and query as sent, status.</summary>
    public async Task<IReadOnlyList<(string Method, string Url, int Status)>> RequestsAsync()
    {
        var log = JsonNode.Parse(await _admin.GetStringAsync(new Uri(BaseUrl, "/admin/requests")))!.AsArray();
        return log.Select(r => ((string)r!["method"]!, (string)r["url"]!, (int)r["status"]!)).ToArray();
    }

    /// <summary>A GET on the FHIR API with the server's token, for tests of the server itself.</summary>
    public async Task<(int Status, JsonNode? Body)> GetAsync(string relative)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUrl, relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        using var response = await _admin.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private string Errors()
    {
        lock (_stderr)
        {
            return _stderr.Length == 0 ? "(nothing on stderr)" : _stderr.ToString();
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? name + ".exe" : name))
            .FirstOrDefault(File.Exists);
}
