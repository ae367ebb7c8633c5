using System.Globalization;
using System.Reflection;
using ImagingCds.Cards;
using ImagingCds.Feedback;
using ImagingCds.Guidelines;
using ImagingCds.Hooks;
using ImagingCds.Performance;
using ImagingCds.Record;
using ImagingCds.Security;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Operations;

/// <summary>docs/configuration.md (and configuration-security.md) name every setting, its environment variable and its default.</summary>
public sealed class ConfigurationDocTests
{
    public static TheoryData<string, string, string> Settings()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (type, section, doc) in new (Type, string, string)[]
        {
            (typeof(HookOptions), HookOptions.Section, "docs/configuration.md"),
            (typeof(FhirOptions), FhirOptions.Section, "docs/configuration.md"),
            (typeof(GuidelineOptions), GuidelineOptions.Section, "docs/configuration.md"),
            (typeof(FormOptions), FormOptions.Section, "docs/configuration.md"),
            (typeof(FeedbackOptions), FeedbackOptions.Section, "docs/configuration.md"),
            (typeof(PerformanceOptions), PerformanceOptions.Section, "docs/configuration.md"),
            (typeof(SecurityOptions), SecurityOptions.Section, "docs/configuration-security.md"),
        })
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                data.Add(doc, $"{section}:{property.Name}", Default(Activator.CreateInstance(type)!, property));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Doc_EverySetting_HasARowWithItsEnvironmentVariableAndDefault(string doc, string setting, string defaultValue)
    {
        var text = File.ReadAllText(Repo.File(doc));
        var row = text.Split('\n').FirstOrDefault(line => line.StartsWith($"| `{setting}`", StringComparison.Ordinal));
        if (row is null && defaultValue == ListOfObjects)
        {
            // A list of objects may have a section of its own, one row per member setting (Security:Clients:N:…).
            Assert.Contains($"`{setting}:N:…`", text, StringComparison.Ordinal);
            return;
        }

        Assert.True(row is not null, $"{doc} has no row for {setting}");
        Assert.Contains(setting.Replace(":", "__", StringComparison.Ordinal), row, StringComparison.Ordinal);
        Assert.Contains(defaultValue == ListOfObjects ? string.Empty : defaultValue, row, StringComparison.Ordinal);
    }

    [Fact]
    public void Doc_ShutdownTimeout_StatesTheDefault() =>
        Assert.Contains($"| `shutdownTimeoutSeconds` | `{HookEndpoints.DefaultShutdownTimeout.TotalSeconds}`", File.ReadAllText(Repo.File("docs/configuration.md")), StringComparison.Ordinal);

    private const string ListOfObjects = "(list of objects)";

    /// <summary>The default as the doc writes it; settings without a simple default (none, lists) only need their row.</summary>
    private static string Default(object options, PropertyInfo property) => property.GetValue(options) switch
    {
        System.Collections.IList when property.PropertyType.GetGenericArguments() is [var item] && item != typeof(string) => ListOfObjects,
        TimeSpan span when span.Milliseconds != 0 => $"`{span.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture)}`",
        TimeSpan span when span.Days != 0 => $"`{span.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture)}`",
        TimeSpan span => $"`{span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)}`",
        bool flag => flag ? "`true`" : "`false`",
        string text => $"`{text}`",
        IFormattable number => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => string.Empty,
    };
}
