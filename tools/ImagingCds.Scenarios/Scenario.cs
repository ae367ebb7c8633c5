using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ImagingCds.Scenarios;

/// <summary>A compact fixture scenario (format: fhir-fixtures/README.md).</summary>
public sealed class Scenario
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string Date { get; set; } = "";
    public ScenarioPatient Patient { get; set; } = new();
    public string? Payer { get; set; }
    public List<ScenarioOrder> Orders { get; set; } = [];
    public ScenarioRecord Record { get; set; } = new();
    public List<ScenarioExpectation> Expected { get; set; } = [];
    public List<ScenarioExpectation> NoEntry { get; set; } = [];

    /// <summary>Optional prefetch shapes (absent key, JSON null, an error OperationOutcome); prefetch replay only.</summary>
    public ScenarioPrefetch? Prefetch { get; set; }

    /// <summary>Where the file is, for messages.</summary>
    [YamlIgnore]
    public string File { get; set; } = "";

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Reads one compact scenario; a file that is not valid YAML of this shape throws, naming the file and position.</summary>
    public static Scenario Load(string path)
    {
        Scenario scenario;
        try
        {
            scenario = Reader.Deserialize<Scenario>(System.IO.File.ReadAllText(path));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidDataException($"{path}:{ex.Start.Line}:{ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        scenario.File = path;
        return scenario;
    }
}

public sealed class ScenarioPatient
{
    public string? Birth { get; set; }
    public string? Sex { get; set; }
}

public sealed class ScenarioOrder
{
    public string Id { get; set; } = "";
    public string? Cpt { get; set; }
    public string? Code { get; set; }
    public List<string> Reasons { get; set; } = [];
    public string? Status { get; set; }
    public string? LocalCode { get; set; }
}

public sealed class ScenarioRecord
{
    public List<Dictionary<string, object>> Conditions { get; set; } = [];
    public List<Dictionary<string, object>> Observations { get; set; } = [];
    public List<Dictionary<string, object>> Procedures { get; set; } = [];
    public List<Dictionary<string, object>> Medications { get; set; } = [];
    public List<Dictionary<string, object>> Encounters { get; set; } = [];
    public List<Dictionary<string, object>> ServiceRequests { get; set; } = [];
    public List<Dictionary<string, object>> Answers { get; set; } = [];
}

/// <summary>
/// How the EHR sends some prefetch keys (keys of cds-services.json): <see cref="Omit"/> leaves the key out (not provided),
/// <see cref="Null"/> sends JSON null (the EHR has no data), <see cref="Outcome"/> sends a searchset Bundle holding only an
/// OperationOutcome of severity error (the EHR's search failed). Applies to the request with prefetch only.
/// </summary>
public sealed class ScenarioPrefetch
{
    public List<string> Omit { get; set; } = [];
    public List<string> Null { get; set; } = [];
    public List<string> Outcome { get; set; } = [];
}

public sealed class ScenarioExpectation
{
    public string Order { get; set; } = "";
    public string Policy { get; set; } = "";
    public string? Verdict { get; set; }
    public string? Section { get; set; }
    public string? Because { get; set; }
}
