using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ImagingCds.Fhir;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ImagingCds.Record;

/// <summary>
/// Reads the missing record parts from the EHR's FHIR server: every resource type in parallel, pages
/// followed within caps and only on the same server, each GET behind retry, circuit breaker and timeout.
/// </summary>
/// <remarks>
/// The queries are the discovery document's prefetch templates with the context filled in, so what is
/// prefetched and what is fetched are the same searches. The caller's token bounds the whole read (the record budget).
/// </remarks>
public sealed class FhirServerSource(
    IHttpClientFactory httpClients,
    FhirPipelines pipelines,
    IReadOnlyDictionary<string, string> templates,
    IOptions<FhirOptions> options,
    TimeProvider time) : IPatientDataSource
{
    public const string HttpClientName = "fhir";

    // FHIR resources rarely nest past 12 levels; a deeper body is refused as malformed.
    private const int MaxDepth = 64;

    private static readonly ResiliencePropertyKey<DateTimeOffset> DeadlineKey = new("imagingcds.record-deadline");

    private readonly FhirOptions _options = options.Value;

    public async ValueTask<RecordBuilder> ReadAsync(RecordQuery query, IReadOnlySet<string> wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(wanted);
        var builder = new RecordBuilder(query.PatientId);
        if (query.FhirServer is not { } server)
        {
            return builder;
        }

        var searches = new List<(string Type, string Query)>();
        foreach (var template in templates.Values)
        {
            if (RecordParts.ResourceTypeOfQuery(template) is { } type && wanted.Contains(type) && Fill(template, query) is { } filled)
            {
                searches.Add((type, filled));
            }
        }

        // One budget for the whole record: every query and page shares it.
        using var budget = new CancellationTokenSource(_options.RecordBudget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var deadline = time.GetUtcNow() + _options.RecordBudget;
        var slices = await Task.WhenAll(searches.Select(s => ReadPartAsync(server, s.Type, s.Query, query, deadline, linked.Token, cancellationToken)));
        foreach (var slice in slices)
        {
            builder.Merge(slice);
        }

        return builder;
    }

    private async Task<RecordBuilder> ReadPartAsync(
        Uri server, string type, string relative, RecordQuery query, DateTimeOffset deadline, CancellationToken budget, CancellationToken caller)
    {
        var slice = new RecordBuilder(query.PatientId);
        var baseUrl = server.AbsoluteUri.EndsWith('/') ? server.AbsoluteUri : server.AbsoluteUri + "/";
        var isSearch = relative.Contains('?', StringComparison.Ordinal);
        var url = new Uri(baseUrl + (isSearch ? WithCount(relative) : relative));
        // Scheme, host and port: user info in fhirServer must neither split a server's breaker nor show in /readyz.
        var pipeline = pipelines.For(server.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped), _options, time);
        var kept = 0;

        for (var page = 1; ; page++)
        {
            FetchResult result;
            try
            {
                var context = ResilienceContextPool.Shared.Get(budget);
                context.Properties.Set(DeadlineKey, deadline);
                try
                {
                    result = await pipeline.ExecuteAsync(
                        static (ResilienceContext ctx, (FhirServerSource Source, Uri Url, Hooks.FhirAuthorization? Authorization) state) =>
                            new ValueTask<FetchResult>(state.Source.FetchAsync(state.Url, state.Authorization, ctx.CancellationToken)),
                        context,
                        (Source: this, Url: url, query.Authorization));
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            }
            catch (OperationCanceledException) when (!caller.IsCancellationRequested)
            {
                slice.AddGap(new RecordGap(type, GapReason.Timeout, "the FHIR server did not answer within the record's time budget"));
                return slice;
            }
            catch (TimeoutRejectedException)
            {
                slice.AddGap(new RecordGap(type, GapReason.Timeout, "every attempt to reach the FHIR server timed out"));
                return slice;
            }
            catch (BrokenCircuitException)
            {
                slice.AddGap(new RecordGap(type, GapReason.CircuitOpen, "the FHIR server failed repeatedly and is not being called for a while"));
                return slice;
            }
            catch (HttpRequestException)
            {
                slice.AddGap(new RecordGap(type, GapReason.ServerError, "the FHIR server could not be reached"));
                return slice;
            }

            if (result.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                slice.AddGap(new RecordGap(type, GapReason.Unauthorized, $"the FHIR server refused access ({(int)result.Status})"));
                return slice;
            }

            if (result.Body is null || (int)result.Status >= 300)
            {
                slice.AddGap(new RecordGap(type, GapReason.ServerError, $"the FHIR server answered {(int)result.Status}{result.Problem}"));
                return slice;
            }

            var next = ReadPage(result.Body, type, isSearch, url, slice, ref kept);
            if (next is null)
            {
                return slice;
            }

            if (!IsOnServer(next, baseUrl))
            {
                slice.AddIssue(new FhirIssue("next-link-refused", $"{type} page {page}", "a paging link pointed off the FHIR server and was not followed"));
                slice.AddGap(new RecordGap(type, GapReason.Truncated, "later pages were not read: their link pointed to another server"));
                return slice;
            }

            if (page >= _options.MaxPages || kept >= _options.MaxResourcesPerType)
            {
                slice.AddGap(new RecordGap(type, GapReason.Truncated, $"stopped after {page} pages and {kept} resources (configured caps)"));
                return slice;
            }

            url = next;
        }
    }

    /// <summary>Adds one page's resources to the slice and returns the next page's URL, if any.</summary>
    private static Uri? ReadPage(byte[] body, string type, bool isSearch, Uri url, RecordBuilder slice, ref int kept)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body) || StrictJson.FirstInvalidEscape(body, MaxDepth) is not null)
        {
            slice.AddGap(new RecordGap(type, GapReason.Malformed, "the FHIR server sent a body with text that is not valid Unicode"));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson.Options(MaxDepth));
        }
        catch (JsonException)
        {
            slice.AddGap(new RecordGap(type, GapReason.Malformed, "the FHIR server sent a body that is not JSON"));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var rootType = FhirJson.ResourceTypeOf(root);
            if (isSearch ? rootType != "Bundle" : rootType != type)
            {
                slice.AddGap(new RecordGap(type, GapReason.Malformed, $"expected {(isSearch ? "a Bundle" : type)} from the FHIR server, got {rootType ?? "no resourceType"}"));
                return null;
            }

            kept += slice.AddJson(root, $"{type} {url.AbsolutePath}");
            slice.Covered.Add(type);
            return isSearch ? NextLink(root) : null;
        }
    }

    private async Task<FetchResult> FetchAsync(Uri url, Hooks.FhirAuthorization? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        if (authorization is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", authorization.AccessToken);
        }

        var client = httpClients.CreateClient(HttpClientName);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var retryAfter = RetryAfterOf(response);
        if (!response.IsSuccessStatusCode)
        {
            return new FetchResult(response.StatusCode, null, retryAfter, string.Empty);
        }

        if (response.Content.Headers.ContentLength > _options.MaxResponseBytes)
        {
            return new FetchResult(response.StatusCode, null, null, $": body larger than {_options.MaxResponseBytes} bytes");
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseBytes)
                {
                    return new FetchResult(response.StatusCode, null, null, $": body larger than {_options.MaxResponseBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return new FetchResult(response.StatusCode, buffer.ToArray(), retryAfter, string.Empty);
        }
        catch (IOException ex)
        {
            // A body cut off mid-way (connection reset, premature end) surfaces as an IOException, not an
            // HttpRequestException: make it one, so it is retried and counted like any transport failure
            // instead of escaping the record as an exception.
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "the FHIR server's response ended before its body did", ex);
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - (response.Headers.Date ?? date),
            _ => null,
        };

    private static Uri? NextLink(JsonElement bundle)
    {
        if (!bundle.TryGetProperty("link", out var links) || links.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var link in links.EnumerateArray())
        {
            if (link.ValueKind == JsonValueKind.Object &&
                link.TryGetProperty("relation", out var relation) && relation.ValueEquals("next") &&
                link.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String &&
                Uri.TryCreate(url.GetString(), UriKind.Absolute, out var next))
            {
                return next;
            }
        }

        return null;
    }

    /// <summary>A paging link is followed only on the same scheme, host, port and base path as <c>fhirServer</c>.</summary>
    internal static bool IsOnServer(Uri link, string baseUrl) =>
        (link.Scheme == Uri.UriSchemeHttps || link.Scheme == Uri.UriSchemeHttp) &&
        string.IsNullOrEmpty(link.UserInfo) &&
        link.AbsoluteUri.StartsWith(baseUrl, StringComparison.OrdinalIgnoreCase);

    private string WithCount(string relative) =>
        relative.Contains("_count=", StringComparison.Ordinal) ? relative : $"{relative}&_count={_options.PageSize}";

    /// <summary>Fills a prefetch template's tokens from the context; null when a token has no value.</summary>
    internal static string? Fill(string template, RecordQuery query)
    {
        var userType = query.UserId.Split('/', 2)[0];
        var userId = query.UserId.Contains('/', StringComparison.Ordinal) ? query.UserId.Split('/', 2)[1] : query.UserId;
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["context.patientId"] = query.PatientId,
            ["context.userId"] = query.UserId,
            ["context.encounterId"] = query.EncounterId,
            ["userPractitionerId"] = userType == "Practitioner" ? userId : null,
            ["userPractitionerRoleId"] = userType == "PractitionerRole" ? userId : null,
            ["userPatientId"] = userType == "Patient" ? userId : null,
            ["userRelatedPersonId"] = userType == "RelatedPerson" ? userId : null,
        };

        var filled = template;
        foreach (var (token, value) in values)
        {
            var placeholder = "{{" + token + "}}";
            if (!filled.Contains(placeholder, StringComparison.Ordinal))
            {
                continue;
            }

            if (value is null)
            {
                return null;
            }

            filled = filled.Replace(placeholder, Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return filled;
    }

    /// <summary>Builds the resilience pipeline for one FHIR server (cached per server by <see cref="FhirPipelines"/>).</summary>
    /// <param name="circuit">Reports the breaker's state (closed, open, half-open) to the readiness endpoint.</param>
    internal static void ConfigurePipeline(
        ResiliencePipelineBuilder<FetchResult> builder, FhirOptions options, TimeProvider time, CircuitBreakerStateProvider? circuit = null)
    {
        // A Retry-After the budget cannot wait for is not waited for: the part becomes a gap at once.
        bool FitsBudget(ResilienceContext context, TimeSpan? delay) =>
            delay is not { } wait || !context.Properties.TryGetValue(DeadlineKey, out var deadline) || time.GetUtcNow() + wait < deadline;

        builder
            .AddRetry(new RetryStrategyOptions<FetchResult>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } r } => r.IsTransient && FitsBudget(args.Context, r.RetryAfter),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<FetchResult>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } r } => (int)r.Status >= 500,
                    _ => false,
                }),
            })
            .AddTimeout(options.AttemptTimeout);
        builder.TimeProvider = time;
    }
}

/// <summary>One GET's outcome: the status, the body when successful, and the server's <c>Retry-After</c>.</summary>
internal sealed record FetchResult(HttpStatusCode Status, byte[]? Body, TimeSpan? RetryAfter, string Problem)
{
    /// <summary>429 and 5xx may succeed on a second try; 4xx otherwise will not.</summary>
    public bool IsTransient => Status == HttpStatusCode.TooManyRequests || (int)Status >= 500;
}
