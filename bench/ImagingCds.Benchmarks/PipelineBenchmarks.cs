using System.Reflection;
using System.Text;
using BenchmarkDotNet.Attributes;
using ImagingCds.Cards;
using ImagingCds.Feedback;
using ImagingCds.Facts;
using ImagingCds.Guidelines;
using ImagingCds.Hooks;
using ImagingCds.Record;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ImagingCds.Benchmarks;

/// <summary>The hook in process: request bytes → record → facts → every policy in scope → cards (no network).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class HookBenchmarks
{
    private OrderSignHandler _handler = null!;
    private byte[] _body = [];

    [Params(50, 500, 5000)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _handler = Services.Create().GetRequiredService<OrderSignHandler>();
        _body = Encoding.UTF8.GetBytes(SyntheticRecord.Request(Resources, payer: "Unmapped Health Plan"));
    }

    [Benchmark]
    public Task<IResult> Hook() => Services.Post(_handler, _body);
}

/// <summary>The eight SMART sample patients (realistic records nobody here wrote) through the same hook.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class SamplePatientBenchmarks
{
    private OrderSignHandler _handler = null!;
    private byte[] _body = [];

    public static IEnumerable<string> Patients() => ImagingCds.Tests.Fixtures.SamplePatients.Ids(Services.SamplesFolder);

    [ParamsSource(nameof(Patients))]
    public string Patient { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _handler = Services.Create().GetRequiredService<OrderSignHandler>();
        _body = Encoding.UTF8.GetBytes(ImagingCds.Tests.Fixtures.SamplePatients.Request(Services.SamplesFolder, Patient));
    }

    [Benchmark]
    public Task<IResult> Hook() => Services.Post(_handler, _body);
}

/// <summary>Facts and all five policies for one order of a typical (500-resource) record: the evaluation core alone.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class EvaluationBenchmarks
{
    private GuidelineLibrary _library = null!;
    private PatientRecord _record = null!;
    private DraftOrder _order = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = Services.Create();
        _library = services.GetRequiredService<GuidelineLibrary>();
        var request = HookRequestParser.Parse(Encoding.UTF8.GetBytes(SyntheticRecord.Request(500)), new HookOptions(), out _)!;
        _order = DraftOrders.InScope(request.Context.DraftOrders, _library.Cpt, new DateOnly(2026, 11, 20))[0];
        var builder = new RecordBuilder(request.Context.PatientId);
        foreach (var (key, value) in request.Prefetch)
        {
            builder.AddJson(value, key);
        }

        _record = builder.Build();
    }

    [Benchmark]
    public int FactsAndAllFivePolicies()
    {
        var facts = FactDeriver.Derive(_record, _order, _library.Catalog);
        var verdicts = 0;
        foreach (var policy in _library.Policies)
        {
            verdicts += (int)Evaluator.Evaluate(policy, facts, _library.Catalog, _order.Reference, _order.Cpt).Verdict;
        }

        return verdicts;
    }
}

/// <summary>The service's own registrations, without a web server.</summary>
internal static class Services
{
    public static readonly string Root = typeof(Services).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    public static string SamplesFolder => Path.GetFullPath(Path.Combine(Root, "..", "shared", "sample-patients"));

    public static IServiceProvider Create()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.ClearProviders();
        builder.Configuration["Feedback:DatabasePath"] = Path.Combine(Path.GetTempPath(), $"imagingcds-bench-{Environment.ProcessId}.db");
        builder.AddHooks();
        builder.AddPatientRecord();
        builder.AddGuidelines();
        builder.AddCards();
        builder.AddFeedback();
        return builder.Build().Services;
    }

    public static Task<IResult> Post(OrderSignHandler handler, byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1");
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        return handler.HandleAsync(context.Request, CancellationToken.None);
    }
}

/// <summary>Request bytes → validated request → patient record from prefetch (the record stage alone).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class RecordBenchmarks
{
    private byte[] _body = [];
    private PrefetchSource _prefetch = null!;

    [Params(50, 500, 5000)]
    public int Resources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes(SyntheticRecord.Request(Resources));
        _prefetch = new PrefetchSource(ServiceCatalog.Load(Path.Combine(Services.Root, "cds-services.json")).Prefetch);
    }

    [Benchmark]
    public async Task<int> ParseAndAssembleFromPrefetch()
    {
        var request = HookRequestParser.Parse(_body, new HookOptions(), out _)!;
        var query = new RecordQuery(request.Context.PatientId, request.Context.UserId, null, request.Prefetch, null, null);
        var record = (await _prefetch.ReadAsync(query, new HashSet<string>(RecordParts.All), CancellationToken.None)).Build();
        return record.ResourceCount;
    }
}
