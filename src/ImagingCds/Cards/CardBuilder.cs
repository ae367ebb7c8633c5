using System.Text;
using System.Text.Json.Nodes;
using ImagingCds.Guidelines;
using ImagingCds.Hooks;

namespace ImagingCds.Cards;

/// <summary>Turns findings into the CDS Hooks response: one card per order, and a rating systemAction per evaluated order. Pure.</summary>
public static class CardBuilder
{
    public const string PamaRatingUrl = "http://fhir.org/argonaut/Extension/pama-rating";
    public const string PamaRatingSystem = "http://fhir.org/argonaut/CodeSystem/pama-rating";
    public const string TopicSystem = "https://imagingcds.example.org/CodeSystem/card-topic";
    private const int SummaryLimit = 139;

    /// <param name="baseUrl">The service's public base URL, for links to policy pages (no trailing slash).</param>
    /// <param name="forms">Documentation form URL per needs-documentation finding, keyed by (order, policy).</param>
    public static JsonObject Build(
        string hookInstance,
        IReadOnlyList<DraftOrder> orders,
        IReadOnlyList<Finding> findings,
        GuidelineLibrary library,
        string baseUrl,
        IReadOnlyDictionary<(string Order, string Policy), string> forms)
    {
        ArgumentNullException.ThrowIfNull(forms);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(library);
        var cards = new JsonArray();
        var actions = new JsonArray();
        foreach (var order in orders)
        {
            var mine = findings.Where(f => f.Order == order.Reference).ToArray();
            if (mine.Length == 0)
            {
                continue;
            }

            cards.Add(Card(hookInstance, order, mine, library, baseUrl, forms));
            actions.Add(RatingAction(order, mine));
        }

        return new JsonObject { ["cards"] = cards, ["systemActions"] = actions };
    }

    private static JsonObject Card(
        string hookInstance, DraftOrder order, Finding[] findings, GuidelineLibrary library, string baseUrl, IReadOnlyDictionary<(string Order, string Policy), string> forms)
    {
        var study = StudyName(order, library);
        var worst = findings.OrderByDescending(f => Severity(f.Verdict)).First();
        var policy = library.Policies.First(p => p.Id == worst.PolicyId);
        return new JsonObject
        {
            ["uuid"] = Uuid(hookInstance, order.Reference, "card").ToString(),
            ["summary"] = Summary(study, worst, policy, findings, library),
            ["indicator"] = worst.Verdict == Verdict.Appropriate ? "info" : "warning",
            ["detail"] = Detail(findings, library),
            ["source"] = new JsonObject
            {
                ["label"] = findings.Length == 1 ? $"{policy.Payer}: {policy.Title}" : $"Payer imaging guidelines ({string.Join(", ", findings.Select(f => Payer(f, library)).Distinct())})",
                ["url"] = $"{baseUrl}/policies/{policy.Id}",
                ["topic"] = new JsonObject
                {
                    ["system"] = TopicSystem,
                    ["code"] = "spine-mri-appropriateness",
                    ["display"] = "Spine MRI appropriateness",
                },
            },
            ["links"] = Links(findings, library, baseUrl, forms),
            ["suggestions"] = new JsonArray([.. BetterOrders(hookInstance, order, findings, library), .. DocumentationTasks(hookInstance, order, findings, library, baseUrl)]),
            ["extension"] = new JsonObject
            {
                ["appropriateness"] = new JsonArray(findings.Select(Entry).ToArray<JsonNode?>()),
            },
        };
    }

    /// <summary>One link per policy to the rule that decided it (or the policy page), so each citation is one click away.</summary>
    private static JsonArray Links(Finding[] findings, GuidelineLibrary library, string baseUrl, IReadOnlyDictionary<(string Order, string Policy), string> forms)
    {
        var links = new JsonArray();
        foreach (var finding in findings)
        {
            if (forms.TryGetValue((finding.Order, finding.PolicyId), out var form))
            {
                links.Add(new JsonObject
                {
                    ["label"] = $"Document for {Payer(finding, library)} ({finding.Decisive.FirstOrDefault()?.Rule.Section ?? "criteria"})",
                    ["url"] = form,
                    ["type"] = "absolute",
                });
            }

            var policy = library.Policies.First(p => p.Id == finding.PolicyId);
            var rule = finding.Decisive.FirstOrDefault()?.Rule;
            links.Add(new JsonObject
            {
                ["label"] = rule is null ? $"{policy.Payer}: {policy.Title}" : $"{policy.Payer} {rule.Section}: {rule.Title}",
                ["url"] = rule is null ? $"{baseUrl}/policies/{policy.Id}" : $"{baseUrl}/policies/{policy.Id}#{rule.Id}",
                ["type"] = "absolute",
            });
        }

        return links;
    }

    /// <summary>
    /// Orders the policy prefers, from the deciding rule's <c>suggest</c>: the draft order re-coded (an update that keeps
    /// every other element), further regions (creates), or a different study first (a create).
    /// </summary>
    private static IEnumerable<JsonNode> BetterOrders(string hookInstance, DraftOrder order, Finding[] findings, GuidelineLibrary library)
    {
        foreach (var (finding, suggestion) in findings
                     .Where(f => f.Verdict is Verdict.NotAppropriate or Verdict.NeedsDocumentation)
                     .SelectMany(f => f.Decisive.Where(r => r.Rule.Suggest is not null).Select(r => (f, r.Rule.Suggest!)))
                     .DistinctBy(x => x.Item2))
        {
            var actions = new JsonArray();
            if (suggestion.Code is { } code)
            {
                var parts = code.Split('|');
                var coding = new JsonObject { ["system"] = Facts.CodeSystems.ByAlias[parts[0]][0], ["code"] = parts[1] };
                if (parts.Length > 2)
                {
                    coding["display"] = parts[2];
                }

                actions.Add(new JsonObject
                {
                    ["type"] = "create",
                    ["description"] = suggestion.Label,
                    ["resource"] = NewOrder(order, $"{order.Request.Id ?? "draft"}-first", coding, parts.Length > 2 ? parts[2] : parts[1]),
                });
            }

            IReadOnlyList<string> regions = suggestion.Regions.Count > 0 ? suggestion.Regions :
                suggestion.Contrast is not null && RegionOf(order, library) is { } own ? [own] : [];
            var contrast = suggestion.Contrast ?? ContrastOf(order, library);
            var first = true;
            foreach (var region in regions)
            {
                if (CptFor(region, contrast, library) is not { } cpt || (first && cpt == order.Cpt))
                {
                    continue;
                }

                var coding = new JsonObject { ["system"] = Facts.CodeSystems.Cpt, ["code"] = cpt, ["display"] = $"MRI {region} spine, {contrast} contrast" };
                actions.Add(first
                    ? new JsonObject { ["type"] = "update", ["description"] = $"Change the order to CPT {cpt}", ["resource"] = Recoded(order, coding) }
                    : new JsonObject { ["type"] = "create", ["description"] = $"Add CPT {cpt}", ["resource"] = NewOrder(order, $"{order.Request.Id ?? "draft"}-{region}", coding, $"MRI {region} spine") });
                first = false;
            }

            if (actions.Count == 0)
            {
                continue;
            }

            var policy = library.Policies.First(p => p.Id == finding.PolicyId);
            yield return new JsonObject
            {
                ["label"] = suggestion.Label,
                ["uuid"] = Uuid(hookInstance, order.Reference, policy.Id, suggestion.Label).ToString(),
                ["isRecommended"] = suggestion.Recommended ? true : null,
                ["actions"] = actions,
            };
        }
    }

    /// <summary>The draft order with its study re-coded; every other element is kept as it arrived.</summary>
    private static JsonObject Recoded(DraftOrder order, JsonObject cpt)
    {
        var resource = JsonNode.Parse(order.Original.GetRawText())!.AsObject();
        resource["code"] = new JsonObject { ["coding"] = new JsonArray(cpt), ["text"] = (string?)cpt["display"] };
        return resource;
    }

    private static JsonObject NewOrder(DraftOrder order, string id, JsonObject coding, string text) => new()
    {
        ["resourceType"] = "ServiceRequest",
        ["id"] = id,
        ["status"] = "draft",
        ["intent"] = "order",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(coding), ["text"] = text },
        ["subject"] = order.Request.Subject?.ReferenceText is { } subject ? new JsonObject { ["reference"] = subject } : null,
        ["requester"] = order.Request.Requester?.ReferenceText is { } requester ? new JsonObject { ["reference"] = requester } : null,
        ["authoredOn"] = order.Request.AuthoredOn?.Text,
        ["reasonCode"] = order.Original.TryGetProperty("reasonCode", out var reasons) ? JsonNode.Parse(reasons.GetRawText()) : null,
    };

    private static string? CptFor(string region, string contrast, GuidelineLibrary library)
    {
        var sets = library.Catalog.Terminology.ValueSets;
        return sets.TryGetValue($"order-region-{region}", out var byRegion) && sets.TryGetValue($"order-contrast-{contrast}", out var byContrast)
            ? byRegion.Codes.GetValueOrDefault(Facts.CodeSystems.Cpt)?.FirstOrDefault(c => byContrast.Contains(Facts.CodeSystems.Cpt, c))
            : null;
    }

    private static string ContrastOf(DraftOrder order, GuidelineLibrary library) =>
        library.Catalog.Terminology.ValueSets.Values
            .FirstOrDefault(vs => vs.Id.StartsWith("order-contrast-", StringComparison.Ordinal) && vs.Contains(Facts.CodeSystems.Cpt, order.Cpt))?.Id["order-contrast-".Length..]
        ?? "without";

    /// <summary>
    /// The CRD "request form completion" pattern: a suggestion that creates a Task (code complete-questionnaire)
    /// pointing at the generated Questionnaire, one per needs-documentation finding.
    /// </summary>
    private static IEnumerable<JsonNode> DocumentationTasks(string hookInstance, DraftOrder order, Finding[] findings, GuidelineLibrary library, string baseUrl)
    {
        foreach (var finding in findings.Where(f => f.Verdict == Verdict.NeedsDocumentation && f.Decisive.Count > 0))
        {
            var policy = library.Policies.First(p => p.Id == finding.PolicyId);
            var rule = finding.Decisive[0].Rule;
            var questionnaire = DocumentationPrompt.CanonicalUrl(policy, rule, baseUrl);
            var patient = order.Request.Subject?.ReferenceText;
            yield return new JsonObject
            {
                ["label"] = $"Ask for {policy.Payer} documentation ({rule.Section})",
                ["uuid"] = Uuid(hookInstance, order.Reference, policy.Id, "task").ToString(),
                ["actions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "create",
                    ["description"] = $"Create a task to complete the {policy.Payer} documentation questionnaire for {rule.Section}",
                    ["resource"] = new JsonObject
                    {
                        ["resourceType"] = "Task",
                        ["status"] = "requested",
                        ["intent"] = "order",
                        ["code"] = new JsonObject
                        {
                            ["coding"] = new JsonArray(new JsonObject
                            {
                                ["system"] = "http://hl7.org/fhir/uv/sdc/CodeSystem/temp",
                                ["code"] = "complete-questionnaire",
                            }),
                        },
                        ["description"] = $"Complete documentation for {policy.Payer} {rule.Section}: {rule.Title}",
                        ["focus"] = new JsonObject { ["reference"] = order.Reference },
                        ["for"] = patient is null ? null : new JsonObject { ["reference"] = patient },
                        ["authoredOn"] = order.Request.AuthoredOn?.Text,
                        ["input"] = new JsonArray(new JsonObject
                        {
                            ["type"] = new JsonObject { ["text"] = "questionnaire" },
                            ["valueCanonical"] = $"{questionnaire}|{policy.Version}",
                        }),
                    },
                }),
            };
        }
    }

    private static JsonObject Entry(Finding finding) => new()
    {
        ["order"] = finding.Order,
        ["cpt"] = finding.Cpt,
        ["policy"] = finding.PolicyId,
        ["verdict"] = finding.Verdict.Wire(),
        ["criteria"] = new JsonArray(finding.Criteria.Select(c => (JsonNode?)c).ToArray()),
        ["missing"] = new JsonArray(finding.Missing.Select(m => (JsonNode?)m.Text).ToArray()),
    };

    private static string Summary(string study, Finding worst, Policy policy, Finding[] findings, GuidelineLibrary library)
    {
        var text = worst.Verdict switch
        {
            Verdict.Appropriate => $"{study} meets {string.Join(", ", findings.Select(f => Payer(f, library)).Distinct())} ({worst.Decisive.FirstOrDefault()?.Rule.Title ?? "criteria met"})",
            Verdict.NeedsDocumentation => $"{study} needs documentation for {policy.Payer}: {worst.Missing.FirstOrDefault()?.Question ?? "see the criteria"}",
            Verdict.NotAppropriate => $"{study} does not meet {policy.Payer}: {worst.Decisive.FirstOrDefault()?.Rule.Title ?? "no indication applies"}",
            _ => $"{study}: payer criteria could not be checked now (record unavailable); you may sign",
        };
        return text.Length <= SummaryLimit ? text : string.Concat(text.AsSpan(0, SummaryLimit - 1), "…");
    }

    private static string Detail(Finding[] findings, GuidelineLibrary library)
    {
        var text = new StringBuilder();
        foreach (var finding in findings)
        {
            var policy = library.Policies.First(p => p.Id == finding.PolicyId);
            text.Append("**").Append(policy.Payer).Append(" — ").Append(policy.Title).Append("**: ").Append(finding.Verdict.Wire()).Append('\n');
            if (finding.Error is { } error)
            {
                text.Append("- ").Append(error).Append(". Signing is not blocked.\n");
            }

            foreach (var rule in finding.Verdict is Verdict.Appropriate or Verdict.NotAppropriate ? finding.Decisive : [])
            {
                text.Append("- ").Append(rule.Rule.Citation).Append('\n');
                // The clinical evidence; the order's own region or contrast is not news to the clinician signing it.
                var clinical = rule.Facts.Where(f => f.Truth == Facts.Truth.True &&
                                                     library.Catalog.Facts.GetValueOrDefault(f.FactId)?.Derive.Builtin?.StartsWith("order_", StringComparison.Ordinal) != true);
                foreach (var evidence in clinical.SelectMany(f => f.Evidence).DistinctBy(e => e.Reference).Take(4))
                {
                    text.Append("  - ").Append(evidence.What);
                    if (evidence.System is not null && evidence.Code is not null)
                    {
                        text.Append(" (").Append(evidence.System).Append(' ').Append(evidence.Code).Append(')');
                    }

                    if (evidence.Date is not null)
                    {
                        text.Append(", ").Append(evidence.Date);
                    }

                    text.Append('\n');
                }
            }

            if (finding.Missing.Count > 0)
            {
                text.Append("- To document (").Append(finding.Decisive.FirstOrDefault()?.Rule.Citation ?? "indication").Append("):\n");
                foreach (var missing in finding.Missing)
                {
                    text.Append("  - ").Append(missing.Text).Append('\n');
                }
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The draft order back as an update carrying its PAMA rating: appropriate when every policy says so,
    /// not-appropriate when any does, otherwise no-criteria-apply (documentation needed or not evaluable).
    /// </summary>
    private static JsonObject RatingAction(DraftOrder order, Finding[] findings)
    {
        var rating = findings.All(f => f.Verdict == Verdict.Appropriate) ? "appropriate" :
            findings.Any(f => f.Verdict == Verdict.NotAppropriate) ? "not-appropriate" : "no-criteria-apply";
        var resource = JsonNode.Parse(order.Original.GetRawText())!.AsObject();
        var extensions = resource["extension"] as JsonArray ?? [];
        for (var i = extensions.Count - 1; i >= 0; i--)
        {
            if (extensions[i]?["url"]?.GetValue<string>() == PamaRatingUrl)
            {
                extensions.RemoveAt(i);
            }
        }

        extensions.Add(new JsonObject
        {
            ["url"] = PamaRatingUrl,
            ["valueCodeableConcept"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = PamaRatingSystem, ["code"] = rating }),
            },
        });
        resource["extension"] = extensions;
        return new JsonObject
        {
            ["type"] = "update",
            ["description"] = $"Record the appropriateness rating '{rating}' on the order",
            ["resource"] = resource,
        };
    }

    /// <summary>"Lumbar MRI", from the order's CPT region.</summary>
    internal static string StudyName(DraftOrder order, GuidelineLibrary library) =>
        RegionOf(order, library) is { } region ? $"{char.ToUpperInvariant(region[0])}{region[1..]} MRI" : "Spine MRI";

    internal static string? RegionOf(DraftOrder order, GuidelineLibrary library) =>
        library.Catalog.Terminology.ValueSets.Values
            .FirstOrDefault(vs => vs.Id.StartsWith("order-region-", StringComparison.Ordinal) && vs.Contains(Facts.CodeSystems.Cpt, order.Cpt))?.Id["order-region-".Length..];

    private static string Payer(Finding finding, GuidelineLibrary library) => library.Policies.First(p => p.Id == finding.PolicyId).Payer;

    private static int Severity(Verdict verdict) => verdict switch
    {
        Verdict.NotAppropriate => 3,
        Verdict.NeedsDocumentation => 2,
        Verdict.Error => 1,
        _ => 0,
    };

    /// <summary>A name-based UUID (RFC 9562 version 8 layout over SHA-256), stable for the same hook call and item.</summary>
    internal static Guid Uuid(params string[] parts)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
