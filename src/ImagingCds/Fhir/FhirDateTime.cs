using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCds.Fhir;

/// <summary>How much of a FHIR date or dateTime was given.</summary>
public enum DatePrecision { Year, Month, Day, Time }

/// <summary>
/// A FHIR <c>date</c>, <c>dateTime</c> or <c>instant</c>: the text as it arrived plus its parsed value.
/// </summary>
/// <remarks>
/// FHIR allows partial dates (<c>2024</c>, <c>2024-05</c>) and times with or without a zone
/// (http://hl7.org/fhir/R4/datatypes.html#dateTime). <see cref="Start"/> is the first day the value
/// can denote and <see cref="End"/> the last, so "within 6 months" can be asked of a partial date
/// both ways. A time without a zone is read as UTC-less local time and only its calendar day is used;
/// facts compare calendar days, never instants. The original text is written back unchanged.
/// </remarks>
[JsonConverter(typeof(FhirDateTimeJsonConverter))]
public sealed record FhirDateTime(string Text, DateOnly Start, DateOnly End, DatePrecision Precision)
{
    /// <summary>Parses FHIR date/dateTime text; returns null when it is not a valid FHIR date.</summary>
    public static FhirDateTime? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length < 4)
        {
            return null;
        }

        if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1)
        {
            return new FhirDateTime(text, new DateOnly(year, 1, 1), new DateOnly(year, 12, 31), DatePrecision.Year);
        }

        if (text.Length == 7 && DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            // Not AddMonths(1).AddDays(-1): December 9999 has no next month.
            var last = new DateOnly(month.Year, month.Month, DateTime.DaysInMonth(month.Year, month.Month));
            return new FhirDateTime(text, month, last, DatePrecision.Month);
        }

        if (text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new FhirDateTime(text, day, day, DatePrecision.Day);
        }

        // A dateTime with a time part: the calendar day as written is what clinical windows use.
        if (text.Length > 10 && text[10] == 'T' &&
            DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var timed) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            return new FhirDateTime(text, timed, timed, DatePrecision.Time);
        }

        return null;
    }

    /// <summary>Day at the given precision, for a date-only value built in code (e.g. prefilled answers).</summary>
    public static FhirDateTime FromDate(DateOnly date) =>
        new(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), date, date, DatePrecision.Day);

    public override string ToString() => Text;
}

/// <summary>Reads and writes <see cref="FhirDateTime"/> as its original text.</summary>
/// <remarks>A value that is not a FHIR date is kept out of the model (read as null) rather than failing the resource.</remarks>
public sealed class FhirDateTimeJsonConverter : JsonConverter<FhirDateTime>
{
    public override bool HandleNull => false;

    public override FhirDateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        return FhirDateTime.TryParse(reader.GetString());
    }

    public override void Write(Utf8JsonWriter writer, FhirDateTime value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Text);
    }
}
