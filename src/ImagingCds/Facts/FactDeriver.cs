using System.Globalization;
using ImagingCds.Fhir;
using ImagingCds.Hooks;
using ImagingCds.Record;

namespace ImagingCds.Facts;

/// <summary>
/// Turns a patient record and one order into facts (pure: no I/O, no logging, no clock).
/// </summary>
/// <remarks>
/// FHIR semantics applied here: Condition clinicalStatus active/recurrence/relapse is current and
/// inactive/remission/resolved is history; provisional/differential/unconfirmed is suspected; refuted is a
/// documented negative; entered-in-error is ignored everywhere. Observations count when final, amended or
/// corrected. Procedures count when completed or in progress; not-done is a documented negative.
/// </remarks>
public static class FactDeriver
{
    private static readonly HashSet<string> AbsentAnswers = new(StringComparer.Ordinal)
    {
        "2667000", "260385009", "LA32-8", "N", "NEG",
    };

    private static readonly HashSet<string> AbnormalFlags = new(StringComparer.Ordinal) { "H", "HH", "HU", "L", "LL", "LU", "A", "AA", "POS" };

    public static FactSet Derive(PatientRecord record, DraftOrder order, FactCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(catalog);
        var context = new DerivationContext(record, order, catalog);
        FactSet? facts = null;
        facts = new FactSet(
            id => catalog.Facts.TryGetValue(id, out var fact) ? Compute(fact, context, facts!) : null,
            Answers(record),
            order.EvaluationDate,
            context.Region);
        return facts;
    }

    private static FactValue Compute(FactDefinition fact, DerivationContext context, FactSet facts)
    {
        var derive = fact.Derive;
        var occurrences = new List<Occurrence>();
        if (derive.Builtin is { } builtin)
        {
            occurrences.AddRange(Builtin(builtin, context));
        }

        if (derive.Conditions.Count > 0)
        {
            occurrences.AddRange(FromConditions(derive, context));
            occurrences.AddRange(FromFindings(derive.Conditions, context));
            occurrences.AddRange(FromOrderReason(derive.Conditions, context));
        }

        if (derive.Findings.Count > 0)
        {
            occurrences.AddRange(FromFindings(derive.Findings, context));
        }

        if (derive.Measurement is { } measurement)
        {
            occurrences.AddRange(FromMeasurements(measurement, context));
        }

        if (derive.Procedures.Count > 0)
        {
            occurrences.AddRange(FromProcedures(derive.Procedures, context));
        }

        if (derive.Planned.Count > 0)
        {
            occurrences.AddRange(FromPlans(derive.Planned, context));
        }

        if (derive.Medications.Count > 0)
        {
            occurrences.AddRange(FromMedications(derive.Medications, context));
        }

        if (derive.EncounterClasses.Count > 0)
        {
            occurrences.AddRange(FromEncounters(derive.EncounterClasses, context));
        }

        if (derive.OrderReasons.Count > 0)
        {
            occurrences.AddRange(FromOrderReason(derive.OrderReasons, context));
        }

        if (derive.ConcurrentOrders.Count > 0)
        {
            occurrences.AddRange(FromConcurrentOrders(derive.ConcurrentOrders, context));
        }

        foreach (var member in derive.Union)
        {
            occurrences.AddRange(facts.Get(member).Occurrences);
        }

        return new FactValue(fact.Id, occurrences);
    }

    private static IEnumerable<Occurrence> Builtin(string builtin, DerivationContext context)
    {
        var order = context.Order;
        var evidence = new Evidence(order.Reference, Display(order.Request.Code) ?? "ordered study", "CPT", order.Cpt, order.Request.AuthoredOn?.Text);
        switch (builtin)
        {
            case "age_years" when context.Record.Patient?.BirthDate is { } birth:
                var age = AgeInYears(birth.Start, order.EvaluationDate);
                yield return new Occurrence(true, birth.Start, birth.Start,
                    new Evidence(context.Record.Patient.Reference, $"born {birth.Text}, age {age} at {order.EvaluationDate:yyyy-MM-dd}", null, null, birth.Text),
                    Number: age);
                break;
            case "age_months" when context.Record.Patient?.BirthDate is { } birth:
                var months = AgeInMonths(birth.Start, order.EvaluationDate);
                yield return new Occurrence(true, birth.Start, birth.Start,
                    new Evidence(context.Record.Patient.Reference, $"born {birth.Text}, {months} months old at {order.EvaluationDate:yyyy-MM-dd}", null, null, birth.Text),
                    Number: months);
                break;
            case "order_requester" when order.Request.Requester is { } requester:
                yield return new Occurrence(true, order.EvaluationDate, order.EvaluationDate,
                    evidence with { What = $"ordered by {requester.Display ?? requester.ReferenceText ?? "a named practitioner"}" });
                break;
            case "order_reason" when order.Request.ReasonCode is { Count: > 0 } || order.Request.ReasonReference is { Count: > 0 }:
                yield return new Occurrence(true, order.EvaluationDate, order.EvaluationDate,
                    evidence with { What = $"order reason: {Display(order.Request.ReasonCode?.FirstOrDefault()) ?? order.Request.ReasonReference?.FirstOrDefault()?.Display ?? "stated"}" });
                break;
            case "sex" when context.Record.Patient?.Gender is { } gender:
                yield return new Occurrence(true, null, null, new Evidence(context.Record.Patient.Reference, $"sex {gender}", null, null, null), Choice: gender);
                break;
            case "order_region" when context.Region is { } region:
                yield return new Occurrence(true, order.EvaluationDate, order.EvaluationDate, evidence, Choice: region);
                break;
            case "order_contrast" when context.Contrast is { } contrast:
                yield return new Occurrence(true, order.EvaluationDate, order.EvaluationDate, evidence, Choice: contrast);
                break;
            case "order_cpt":
                yield return new Occurrence(true, order.EvaluationDate, order.EvaluationDate, evidence, Choice: order.Cpt);
                break;
        }
    }

    /// <summary>Whole months completed at the evaluation date (the same day of the month counts).</summary>
    internal static int AgeInMonths(DateOnly birth, DateOnly on)
    {
        var months = ((on.Year - birth.Year) * 12) + on.Month - birth.Month;
        return on < birth.AddMonths(months) ? months - 1 : months;
    }

    /// <summary>Whole years completed at the evaluation date (a birthday on that day counts).</summary>
    internal static int AgeInYears(DateOnly birth, DateOnly on)
    {
        var age = on.Year - birth.Year;
        return on < birth.AddYears(age) ? age - 1 : age;
    }

    private static IEnumerable<Occurrence> FromConditions(Derivation derive, DerivationContext context)
    {
        foreach (var (condition, coding) in context.Index.Conditions.Matching(derive.Conditions))
        {
            var verification = Code(condition.VerificationStatus);
            if (verification == "entered-in-error")
            {
                continue;
            }

            var date = ConditionDate(condition, context);
            var evidence = EvidenceOf(condition, coding, condition.Code, date);
            if (verification == "refuted")
            {
                yield return new Occurrence(false, date?.Start, date?.Start, evidence);
                continue;
            }

            var suspected = verification is "provisional" or "differential" or "unconfirmed";
            var status = Code(condition.ClinicalStatus);
            var current = status switch
            {
                "active" or "recurrence" or "relapse" => true,
                "inactive" or "remission" or "resolved" => false,
                _ => condition.AbatementDateTime is null && condition.AbatementPeriod is null && condition.AbatementBoolean != true,
            };

            var statusFits = derive.Status switch
            {
                StatusFilter.Active => current,
                StatusFilter.History => !current,
                _ => true,
            };
            var verificationFits = derive.Verification switch
            {
                VerificationFilter.Confirmed => !suspected,
                VerificationFilter.Suspected => suspected,
                _ => true,
            };
            if (statusFits && verificationFits)
            {
                yield return new Occurrence(true, date?.Start, date?.Start, evidence, suspected);
            }
        }
    }

    private static FhirDateTime? ConditionDate(Condition condition, DerivationContext context)
    {
        if ((condition.OnsetDateTime ?? condition.OnsetPeriod?.Start) is { } onset)
        {
            return onset;
        }

        if (condition.OnsetAge?.Value is { } years && context.Record.Patient?.BirthDate is { } birth)
        {
            return FhirDateTime.FromDate(birth.Start.AddYears((int)years));
        }

        return condition.RecordedDate;
    }

    /// <summary>Exam findings and coded observations: the code, or a coded value, in the value set.</summary>
    private static IEnumerable<Occurrence> FromFindings(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        // Observations matched by code and by coded value, merged in record order (an observation matched both ways once,
        // by its code).
        var byCodes = context.Index.ObservationCodes.Positions(sets);
        var byValues = context.Index.ObservationValues.Positions(sets);
        for (int nextCode = 0, nextValue = 0; nextCode < byCodes.Count || nextValue < byValues.Count;)
        {
            var codePosition = nextCode < byCodes.Count ? byCodes[nextCode].Position : int.MaxValue;
            var valuePosition = nextValue < byValues.Count ? byValues[nextValue].Position : int.MaxValue;
            var position = Math.Min(codePosition, valuePosition);
            var byCode = codePosition == position ? byCodes[nextCode++].Coding : null;
            var byValue = valuePosition == position ? byValues[nextValue++].Coding : null;
            var observation = context.Record.Observations[position];
            if (!Counts(observation))
            {
                continue;
            }

            var absent = observation.ValueBoolean == false ||
                         (byValue is null && observation.ValueCodeableConcept?.Coding?.Any(c => c.Code is { } code && AbsentAnswers.Contains(code)) == true) ||
                         observation.Interpretation?.Any(i => i.Coding?.Any(c => c.Code is "NEG" or "N" or "ND") == true) == true && observation.ValueQuantity is null;
            var date = ObservationDate(observation);
            yield return new Occurrence(!absent, date?.Start, date?.Start,
                EvidenceOf(observation, (byCode ?? byValue)!, byValue is not null ? observation.ValueCodeableConcept : observation.Code, date));
        }
    }

    private static IEnumerable<Occurrence> FromOrderReason(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        var order = context.Order;
        foreach (var (reason, coding) in context.Index.OrderReasons.Matching(sets))
        {
            yield return new Occurrence(true, null, null,
                new Evidence(order.Reference, Display(reason) ?? coding.Code ?? "order reason", CodeSystems.ShortName(coding.System), coding.Code, null));
        }
    }

    private static IEnumerable<Occurrence> FromMeasurements(MeasurementRule rule, DerivationContext context)
    {
        foreach (var (observation, coding) in context.Index.ObservationCodes.Matching(rule.Codes))
        {
            if (!Counts(observation))
            {
                continue;
            }

            var value = observation.ValueQuantity?.Value ?? observation.ValueInteger;
            var flagged = observation.Interpretation?.Any(i => i.Coding?.Any(c => c.Code is { } code && AbnormalFlags.Contains(code)) == true) == true ||
                          (value is { } v && observation.ReferenceRange?.Any(r => v > r.High?.Value || v < r.Low?.Value) == true);
            var hasInterpretation = observation.Interpretation is { Count: > 0 } || observation.ReferenceRange is { Count: > 0 };
            bool? positive =
                (rule.Above is { } above && value is { } a) ? a > above :
                (rule.AtLeast is { } atLeast && value is { } b) ? b >= atLeast :
                rule.Abnormal && (flagged || hasInterpretation) ? flagged : null;
            if (positive is not { } isPositive)
            {
                continue;
            }

            var date = ObservationDate(observation);
            var evidence = EvidenceOf(observation, coding, observation.Code, date);
            if (value is { } shown)
            {
                evidence = evidence with { What = $"{evidence.What} {shown.ToString(CultureInfo.InvariantCulture)} {observation.ValueQuantity?.Unit}".TrimEnd() };
            }

            yield return new Occurrence(isPositive, date?.Start, date?.Start, evidence, Number: value);
        }
    }

    private static IEnumerable<Occurrence> FromProcedures(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        foreach (var (procedure, coding) in context.Index.Procedures.Matching(sets))
        {
            if (procedure.Status is "entered-in-error" or "unknown" or "preparation")
            {
                continue;
            }

            var start = procedure.PerformedDateTime ?? procedure.PerformedPeriod?.Start;
            var end = procedure.PerformedPeriod?.End ?? (procedure.Status == "in-progress" ? FhirDateTime.FromDate(context.Order.EvaluationDate) : start);
            yield return new Occurrence(procedure.Status != "not-done", start?.Start, end?.End ?? start?.End, EvidenceOf(procedure, coding, procedure.Code, start));
        }

        // A completed earlier order (e.g. a prior MRI) is evidence the study was done.
        foreach (var (request, coding) in context.Index.ServiceRequests.Matching(sets))
        {
            if (request.Status != "completed" || IsTheOrder(request, context))
            {
                continue;
            }

            var date = request.OccurrenceDateTime ?? request.OccurrencePeriod?.Start ?? request.AuthoredOn;
            yield return new Occurrence(true, date?.Start, date?.End, EvidenceOf(request, coding, request.Code, date));
        }
    }

    private static IEnumerable<Occurrence> FromPlans(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        foreach (var (request, coding) in context.Index.ServiceRequests.Matching(sets))
        {
            if (request.Status is not ("active" or "draft" or "on-hold") || IsTheOrder(request, context))
            {
                continue;
            }

            var date = request.OccurrenceDateTime ?? request.OccurrencePeriod?.Start ?? request.AuthoredOn;
            yield return new Occurrence(true, date?.Start, date?.Start, EvidenceOf(request, coding, request.Code, date));
        }

        foreach (var (procedure, coding) in context.Index.Procedures.Matching(sets))
        {
            if (procedure.Status == "preparation")
            {
                var date = procedure.PerformedDateTime ?? procedure.PerformedPeriod?.Start;
                yield return new Occurrence(true, date?.Start, date?.Start, EvidenceOf(procedure, coding, procedure.Code, date));
            }
        }
    }

    /// <summary>
    /// Courses of medication: from <c>validityPeriod</c>/<c>authoredOn</c> to the validity end or the expected
    /// supply; an active course with no end runs to the evaluation date; a finished one with no end is one day.
    /// </summary>
    private static IEnumerable<Occurrence> FromMedications(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        var today = context.Order.EvaluationDate;
        foreach (var (request, coding) in context.Index.MedicationRequests.Matching(sets))
        {
            if (request.Status is not ("active" or "completed" or "stopped" or "on-hold"))
            {
                continue;
            }

            var concept = MedicationCode(request.MedicationCodeableConcept, request.MedicationReference, context.Record);

            var start = request.DispenseRequest?.ValidityPeriod?.Start ?? request.AuthoredOn;
            DateOnly? end = request.DispenseRequest?.ValidityPeriod?.End?.End;
            if (end is null && start is not null && request.DispenseRequest?.ExpectedSupplyDuration is { Value: { } supply } duration)
            {
                end = start.Start.AddDays((int)Math.Ceiling((double)supply * DaysPerUnit(duration.Code ?? duration.Unit)));
            }

            end ??= request.Status == "active" ? today : start?.Start;
            yield return new Occurrence(true, start?.Start, Min(end, today), EvidenceOf(request, coding, concept, start));
        }

        foreach (var (statement, coding) in context.Index.MedicationStatements.Matching(sets))
        {
            if (statement.Status is "entered-in-error" or "unknown")
            {
                continue;
            }

            var concept = MedicationCode(statement.MedicationCodeableConcept, statement.MedicationReference, context.Record);

            var start = statement.EffectivePeriod?.Start ?? statement.EffectiveDateTime;
            DateOnly? end = statement.EffectivePeriod?.End?.End ?? (statement.Status == "active" ? today : start?.End);
            yield return new Occurrence(statement.Status != "not-taken", start?.Start, Min(end, today), EvidenceOf(statement, coding, concept, start));
        }
    }

    private static IEnumerable<Occurrence> FromConcurrentOrders(IReadOnlyList<ValueSet> sets, DerivationContext context)
    {
        foreach (var (sibling, coding) in context.Index.Siblings.Matching(sets))
        {
            if (sibling.Status is "entered-in-error" or "revoked")
            {
                continue;
            }

            var day = context.Order.EvaluationDate;
            yield return new Occurrence(true, day, day, EvidenceOf(sibling, coding, sibling.Code, sibling.AuthoredOn));
        }
    }

    private static IEnumerable<Occurrence> FromEncounters(IReadOnlyList<string> classes, DerivationContext context)
    {
        foreach (var encounter in context.Record.Encounters)
        {
            if (encounter.Status is "cancelled" or "entered-in-error" or "planned" || ActCodeOf(encounter.Class?.Code) is not { } code || !classes.Contains(code))
            {
                continue;
            }

            var start = encounter.Period?.Start;
            yield return new Occurrence(true, start?.Start, encounter.Period?.End?.End ?? start?.End,
                new Evidence(encounter.Reference, Display(encounter.Type?.FirstOrDefault()) ?? $"{code} encounter", "ActCode", code, start?.Text));
        }
    }

    /// <summary>
    /// Encounter class as a v3 ActCode; records converted from STU3 (e.g. the SMART sample data) carry the words
    /// "ambulatory", "inpatient", "emergency" instead.
    /// </summary>
    private static string? ActCodeOf(string? code) => code switch
    {
        "ambulatory" or "outpatient" => "AMB",
        "inpatient" => "IMP",
        "emergency" => "EMER",
        "virtual" => "VR",
        "home" => "HH",
        _ => code,
    };

    /// <summary>Answers from completed QuestionnaireResponses whose item linkId names a fact or a criterion; the latest wins.</summary>
    private static Dictionary<string, Answer> Answers(PatientRecord record)
    {
        var answers = new Dictionary<string, Answer>(StringComparer.Ordinal);
        foreach (var response in record.QuestionnaireResponses
                     .Where(r => r.Status is "completed" or "amended")
                     .OrderBy(r => r.Authored?.Start ?? DateOnly.MinValue))
        {
            foreach (var item in Flatten(response.Item ?? []))
            {
                if (item.LinkId is not { } linkId || item.Answer is not [var answer, ..])
                {
                    continue;
                }

                var truth = answer.ValueBoolean is { } yes ? Kleene.FromBool(yes) :
                    answer.ValueCoding?.Code is "Y" or "yes" or "LA33-6" ? Truth.True :
                    answer.ValueCoding?.Code is "N" or "no" or "LA32-8" ? Truth.False :
                    answer.ValueInteger is not null || answer.ValueDecimal is not null || answer.ValueDate is not null ? Truth.True :
                    Truth.Unknown;
                if (truth == Truth.Unknown)
                {
                    continue;
                }

                var author = response.Author?.Display ?? response.Author?.ReferenceText ?? "clinician";
                var evidence = new Evidence($"QuestionnaireResponse/{response.Id}", $"answered {(truth == Truth.True ? "yes" : "no")} by {author}",
                    null, linkId, response.Authored?.Text, Attested: true);
                answers[linkId] = new Answer(truth, evidence, answer.ValueDecimal ?? answer.ValueInteger);
            }
        }

        return answers;
    }

    private static IEnumerable<QuestionnaireResponseItem> Flatten(IEnumerable<QuestionnaireResponseItem> items) =>
        items.SelectMany(i => new[] { i }.Concat(Flatten(i.Item ?? [])).Concat(Flatten((i.Answer ?? []).SelectMany(a => a.Item ?? []))));

    private static bool Counts(Observation observation) => observation.Status is "final" or "amended" or "corrected";

    private static FhirDateTime? ObservationDate(Observation observation) =>
        observation.EffectiveDateTime ?? observation.EffectivePeriod?.Start ?? observation.EffectiveInstant ?? observation.Issued;

    private static bool IsTheOrder(ServiceRequest request, DerivationContext context) =>
        request.Id is not null && $"ServiceRequest/{request.Id}" == context.Order.Reference;

    /// <summary>The medication's code: inline, or from the referenced Medication resource (contained or included).</summary>
    internal static CodeableConcept? MedicationCode(CodeableConcept? concept, Reference? reference, PatientRecord record)
    {
        if (concept is not null)
        {
            return concept;
        }

        var id = reference?.ReferenceText?.Split('/').LastOrDefault();
        return record.Medications.FirstOrDefault(m => m.Id == id)?.Code;
    }

    private static Evidence EvidenceOf(Resource resource, Coding coding, CodeableConcept? concept, FhirDateTime? date) =>
        new(resource.Reference, coding.Display ?? concept?.Text ?? coding.Code ?? resource.ResourceType ?? "resource",
            CodeSystems.ShortName(coding.System), coding.Code, date?.Text);

    private static string? Code(CodeableConcept? concept) => concept?.Coding?.FirstOrDefault(c => c.Code is not null)?.Code;

    private static string? Display(CodeableConcept? concept) => concept?.Text ?? concept?.Coding?.FirstOrDefault(c => c.Display is not null)?.Display;

    private static double DaysPerUnit(string? unit) => unit switch
    {
        "wk" or "week" or "weeks" => 7,
        "mo" or "month" or "months" => 30,
        "h" or "hour" or "hours" => 1.0 / 24,
        _ => 1,
    };

    private static DateOnly? Min(DateOnly? a, DateOnly b) => a is { } x && x > b ? b : a;

    /// <summary>Per-order inputs resolved once: the order's region and contrast from the CPT value sets.</summary>
    private sealed class DerivationContext(PatientRecord record, DraftOrder order, FactCatalog catalog)
    {
        public PatientRecord Record { get; } = record;

        public DraftOrder Order { get; } = order;

        public FactCatalog Catalog { get; } = catalog;

        /// <summary>Which resources carry codes of which value set, built once per order.</summary>
        public RecordIndex Index { get; } = new(record, order, catalog.Terminology);

        public string? Region { get; } = CptProperty(catalog, "order-region-", order.Cpt);

        public string? Contrast { get; } = CptProperty(catalog, "order-contrast-", order.Cpt);

        private static string? CptProperty(FactCatalog catalog, string prefix, string cpt) =>
            catalog.Terminology.ValueSets.Values
                .FirstOrDefault(vs => vs.Id.StartsWith(prefix, StringComparison.Ordinal) && vs.Contains(CodeSystems.Cpt, cpt))?.Id[prefix.Length..];
    }
}
