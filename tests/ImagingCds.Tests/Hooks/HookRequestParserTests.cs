using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ImagingCds.Hooks;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Hooks;

public sealed class HookRequestParserTests
{
    private static readonly HookOptions Limits = new();

    [Fact]
    public void Parse_ValidRequest_ReadsEveryPart()
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir/r4";
        body["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "secret-token",
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["scope"] = "patient/Condition.read patient/Observation.read",
            ["subject"] = "cds-service",
        };
        body["prefetch"] = new JsonObject { ["patient"] = Some.Patient(), ["conditions"] = null };

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal("order-sign", request.Hook);
        Assert.Equal("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", request.HookInstance);
        Assert.Equal(new Uri("https://ehr.example.org/fhir/r4"), request.FhirServer);
        Assert.Equal("secret-token", request.FhirAuthorization?.AccessToken);
        Assert.Equal("Bearer", request.FhirAuthorization?.TokenType);
        Assert.Equal("patient/Condition.read patient/Observation.read", request.FhirAuthorization?.Scope);
        Assert.Equal("cds-service", request.FhirAuthorization?.Subject);
        Assert.Equal("Practitioner/prac-1", request.Context.UserId);
        Assert.Equal(Some.PatientId, request.Context.PatientId);
        Assert.Equal("enc-1", request.Context.EncounterId);
        Assert.Equal("Bundle", request.Context.DraftOrders.GetProperty("resourceType").GetString());
        Assert.Equal(1, request.Context.DraftOrders.GetProperty("entry").GetArrayLength());
        Assert.Equal(["conditions", "patient"], request.Prefetch.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, request.Prefetch["conditions"].ValueKind);
        Assert.Equal("Patient", request.Prefetch["patient"].GetProperty("resourceType").GetString());
    }

    [Fact]
    public void Parse_MinimalRequest_HasNoServerAuthorizationOrPrefetch()
    {
        var body = Some.OrderSignRequest();
        body["context"]!.AsObject().Remove("encounterId");

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Null(request.FhirServer);
        Assert.Null(request.FhirAuthorization);
        Assert.Null(request.Context.EncounterId);
        Assert.Empty(request.Prefetch);
    }

    [Fact]
    public void Parse_FhirAuthorization_ToStringNeverShowsTheToken()
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir";
        body["fhirAuthorization"] = new JsonObject { ["access_token"] = "secret-token", ["token_type"] = "bearer" };

        var request = Parse(body, out _);

        Assert.Equal("Bearer", request?.FhirAuthorization?.TokenType);
        Assert.DoesNotContain("secret-token", request?.FhirAuthorization?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient/123", "123")]
    [InlineData("123", "123")]
    [InlineData("eVgg3VZ6.A-bc", "eVgg3VZ6.A-bc")]
    public void Parse_PatientIdAsReference_IsTheBareId(string patientId, string expected)
    {
        var body = Some.OrderSignRequest();
        body["context"]!["patientId"] = patientId;

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.Equal(expected, request?.Context.PatientId);
    }

    [Fact]
    public void Parse_UnknownContextAndTopLevelFields_AreIgnored()
    {
        var body = Some.OrderSignRequest();
        body["context"]!["selections"] = new JsonArray("ServiceRequest/sr-1");
        body["context"]!["somethingNew"] = new JsonObject { ["deep"] = new JsonArray(1, 2, 3) };
        body["extension"] = new JsonObject { ["com.epic.cdshooks.request.bpa-trigger-action"] = "23" };
        body["futureField"] = 42;

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal(Some.PatientId, request.Context.PatientId);
    }

    [Theory]
    [InlineData("{\"hook\": \"order-sign\",", "line 1")]
    [InlineData("{\"hook\": \"order-sign\"\n  \"hookInstance\": \"x\"}", "line 2")]
    [InlineData("", "line 1")]
    [InlineData("{'hook': 'order-sign'}", "line 1")]
    public void Parse_MalformedJson_IsMalformedJsonWithLineAndByte(string json, string line)
    {
        var error = Refused(Encoding.UTF8.GetBytes(json));

        Assert.Equal("malformed-json", error.Code);
        Assert.Equal(string.Empty, error.Path);
        Assert.Contains(line, error.Message, StringComparison.Ordinal);
        Assert.Contains("byte", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsMalformedJsonNotAnException()
    {
        var body = Some.Utf8(Some.OrderSignRequest());
        var at = Array.IndexOf(body, (byte)'d');
        body[at] = 0xFF;

        var error = Refused(body);

        Assert.Equal("malformed-json", error.Code);
    }

    [Theory]
    [InlineData("hookInstance", "\"x\\uD800y\"")] // a lone high surrogate in a value the parser reads
    [InlineData("futureField", "\"\\uDC00\\uD800\"")] // a reversed pair in a value nothing reads
    [InlineData("\\uDBFF", "1")] // in a property name
    public void Parse_EscapeThatIsNotUtf16_IsMalformedJsonNotAnException(string name, string value)
    {
        var request = Some.OrderSignRequest();
        request.Remove(name);
        var json = request.ToJsonString();
        var body = Encoding.UTF8.GetBytes($"{{\"{name}\":{value},{json[1..]}");

        var error = Refused(body);

        Assert.Equal("malformed-json", error.Code);
        Assert.Contains("UTF-16", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hook")]
    [InlineData("context")]
    public void Parse_PropertyNameTwiceInOneObject_IsMalformedJson(string name)
    {
        var json = Some.OrderSignRequest().ToJsonString();
        var copy = JsonNode.Parse(json)![name]!.ToJsonString();
        var body = Encoding.UTF8.GetBytes(json[..^1] + $",\"{name}\":{copy}}}");

        var error = Refused(body);

        Assert.Equal("malformed-json", error.Code);
        Assert.Contains("same property name twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("se\ncret")]
    [InlineData("se\u0000cret")]
    [InlineData("se cret")]
    [InlineData("sécret")]
    public void Parse_AccessTokenNotAHeaderValue_IsInvalidAccessTokenWithoutEchoingIt(string token)
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir/r4";
        body["fhirAuthorization"] = new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer" };

        var error = Refused(body);

        Assert.Equal(("invalid-access-token", "fhirAuthorization.access_token"), (error.Code, error.Path));
        Assert.DoesNotContain("cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"order-sign\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Parse_BodyNotAnObject_IsNotAnObject(string json)
    {
        var error = Refused(Encoding.UTF8.GetBytes(json));

        Assert.Equal("not-an-object", error.Code);
        Assert.Equal(string.Empty, error.Path);
    }

    [Theory]
    [InlineData("hook", null, "missing-hook")]
    [InlineData("hook", "", "invalid-hook")]
    [InlineData("hook", "   ", "invalid-hook")]
    [InlineData("hookInstance", null, "missing-hook-instance")]
    [InlineData("hookInstance", "", "invalid-hook-instance")]
    public void Parse_MissingOrBlankTopLevelString_IsRefusedAtThatPath(string field, string? value, string code)
    {
        var body = Some.OrderSignRequest();
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = value;
        }

        var error = Refused(body);

        Assert.Equal(code, error.Code);
        Assert.Equal(field, error.Path);
    }

    [Fact]
    public void Parse_HookIsNumber_IsInvalidHook()
    {
        var body = Some.OrderSignRequest();
        body["hook"] = 7;

        var error = Refused(body);

        Assert.Equal("invalid-hook", error.Code);
        Assert.Equal("hook", error.Path);
    }

    [Theory]
    [InlineData("patient-view")]
    [InlineData("order-select")]
    [InlineData("ORDER-SIGN")]
    public void Parse_OtherHook_IsWrongHook(string hook)
    {
        var body = Some.OrderSignRequest();
        body["hook"] = hook;

        var error = Refused(body);

        Assert.Equal("wrong-hook", error.Code);
        Assert.Equal("hook", error.Path);
        Assert.Contains(hook, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingContext_IsMissingContext()
    {
        var body = Some.OrderSignRequest();
        body.Remove("context");

        var error = Refused(body);

        Assert.Equal("missing-context", error.Code);
        Assert.Equal("context", error.Path);
    }

    [Fact]
    public void Parse_ContextNotAnObject_IsMissingContext()
    {
        var body = Some.OrderSignRequest();
        body["context"] = new JsonArray();

        var error = Refused(body);

        Assert.Equal("missing-context", error.Code);
        Assert.Equal("context", error.Path);
    }

    [Theory]
    [InlineData("patientId", "missing-patient-id")]
    [InlineData("userId", "missing-user-id")]
    public void Parse_MissingContextId_IsRefusedAtThatPath(string field, string code)
    {
        var body = Some.OrderSignRequest();
        body["context"]!.AsObject().Remove(field);

        var error = Refused(body);

        Assert.Equal(code, error.Code);
        Assert.Equal($"context.{field}", error.Path);
    }

    [Fact]
    public void Parse_BlankPatientId_IsInvalidPatientId()
    {
        var body = Some.OrderSignRequest();
        body["context"]!["patientId"] = " ";

        var error = Refused(body);

        Assert.Equal("invalid-patient-id", error.Code);
        Assert.Equal("context.patientId", error.Path);
    }

    [Fact]
    public void Parse_MissingDraftOrders_IsMissingDraftOrders()
    {
        var body = Some.OrderSignRequest();
        body["context"]!.AsObject().Remove("draftOrders");

        var error = Refused(body);

        Assert.Equal("missing-draft-orders", error.Code);
        Assert.Equal("context.draftOrders", error.Path);
    }

    [Theory]
    [InlineData("""{"resourceType":"ServiceRequest","id":"sr-1"}""")]
    [InlineData("""[{"resourceType":"Bundle"}]""")]
    [InlineData("""{"entry":[]}""")]
    [InlineData("null")]
    [InlineData("\"Bundle\"")]
    public void Parse_DraftOrdersNotABundle_IsDraftOrdersNotBundle(string draftOrders)
    {
        var body = Some.OrderSignRequest();
        body["context"]!["draftOrders"] = JsonNode.Parse(draftOrders);

        var error = Refused(body);

        Assert.Equal("draft-orders-not-bundle", error.Code);
        Assert.Equal("context.draftOrders", error.Path);
    }

    [Fact]
    public void Parse_FhirAuthorizationWithoutFhirServer_IsRefused()
    {
        var body = Some.OrderSignRequest();
        body["fhirAuthorization"] = new JsonObject { ["access_token"] = "t", ["token_type"] = "Bearer" };

        var error = Refused(body);

        Assert.Equal("fhir-authorization-without-server", error.Code);
        Assert.Equal("fhirAuthorization", error.Path);
    }

    [Theory]
    [InlineData("MAC")]
    [InlineData("Basic")]
    [InlineData("DPoP")]
    public void Parse_TokenTypeNotBearer_IsInvalidTokenType(string tokenType)
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir";
        body["fhirAuthorization"] = new JsonObject { ["access_token"] = "t", ["token_type"] = tokenType };

        var error = Refused(body);

        Assert.Equal("invalid-token-type", error.Code);
        Assert.Equal("fhirAuthorization.token_type", error.Path);
    }

    [Fact]
    public void Parse_FhirAuthorizationWithoutAccessToken_IsMissingAccessToken()
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir";
        body["fhirAuthorization"] = new JsonObject { ["token_type"] = "Bearer" };

        var error = Refused(body);

        Assert.Equal("missing-access-token", error.Code);
        Assert.Equal("fhirAuthorization.access_token", error.Path);
    }

    [Fact]
    public void Parse_FhirAuthorizationNotAnObject_IsInvalidFhirAuthorization()
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = "https://ehr.example.org/fhir";
        body["fhirAuthorization"] = "Bearer t";

        var error = Refused(body);

        Assert.Equal("invalid-fhir-authorization", error.Code);
        Assert.Equal("fhirAuthorization", error.Path);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ehr.example.org/fhir")]
    [InlineData("/fhir")]
    [InlineData("ftp://ehr.example.org/fhir")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    public void Parse_FhirServerNotAnHttpUrl_IsInvalidFhirServer(string fhirServer)
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = fhirServer;

        var error = Refused(body);

        Assert.Equal("invalid-fhir-server", error.Code);
        Assert.Equal("fhirServer", error.Path);
    }

    [Fact]
    public void Parse_FhirServerNotAString_IsInvalidFhirServer()
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = new JsonObject { ["url"] = "https://ehr.example.org" };

        Assert.Equal("invalid-fhir-server", Refused(body).Code);
    }

    [Theory]
    [InlineData("http://ehr.example.org/fhir")]
    [InlineData("http://10.0.0.5:8080/fhir")]
    public void Parse_HttpFhirServerNotOnLoopback_IsInsecureFhirServer(string fhirServer)
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = fhirServer;

        var error = Refused(body);

        Assert.Equal("insecure-fhir-server", error.Code);
        Assert.Equal("fhirServer", error.Path);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5055/fhir")]
    [InlineData("http://localhost:8080/fhir/")]
    [InlineData("http://[::1]:8080/fhir")]
    public void Parse_HttpFhirServerOnLoopback_IsAccepted(string fhirServer)
    {
        var body = Some.OrderSignRequest();
        body["fhirServer"] = fhirServer;

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.Equal(new Uri(fhirServer), request?.FhirServer);
    }

    [Fact]
    public void Parse_NestingDeeperThanMaxJsonDepth_IsRefusedNamingTheLimit()
    {
        var json = Some.OrderSignRequest().ToJsonString();
        var deep = new string('[', Limits.MaxJsonDepth + 1) + new string(']', Limits.MaxJsonDepth + 1);
        var body = Encoding.UTF8.GetBytes(json[..^1] + ",\"deep\":" + deep + "}");

        var error = Refused(body);

        Assert.Equal("malformed-json", error.Code);
        Assert.Contains($"deeper than {Limits.MaxJsonDepth}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingWithinMaxJsonDepth_IsAccepted()
    {
        var json = Some.OrderSignRequest().ToJsonString();
        var deep = new string('[', Limits.MaxJsonDepth - 2) + new string(']', Limits.MaxJsonDepth - 2);

        var request = HookRequestParser.Parse(Encoding.UTF8.GetBytes(json[..^1] + ",\"deep\":" + deep + "}"), Limits, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Fact]
    public void Parse_TooManyDraftOrderEntries_IsTooManyEntries()
    {
        var limits = new HookOptions { MaxBundleEntries = 3 };
        var body = Some.OrderSignRequest(
            Some.SpineMriOrder("a"), Some.SpineMriOrder("b"), Some.SpineMriOrder("c"), Some.SpineMriOrder("d"));

        var request = HookRequestParser.Parse(Some.Utf8(body), limits, out var error);

        Assert.Null(request);
        Assert.Equal("too-many-entries", error?.Code);
        Assert.Equal("context.draftOrders.entry", error?.Path);
    }

    [Fact]
    public void Parse_TooManyPrefetchEntries_IsTooManyEntriesAtThatKey()
    {
        var limits = new HookOptions { MaxBundleEntries = 3 };
        var body = Some.OrderSignRequest();
        body["prefetch"] = new JsonObject
        {
            ["conditions"] = Some.Bundle(Some.Condition("1"), Some.Condition("2"), Some.Condition("3"), Some.Condition("4")),
        };

        var request = HookRequestParser.Parse(Some.Utf8(body), limits, out var error);

        Assert.Null(request);
        Assert.Equal("too-many-entries", error?.Code);
        Assert.Equal("prefetch.conditions.entry", error?.Path);
    }

    [Fact]
    public void Parse_EntriesAtTheLimit_AreAccepted()
    {
        var limits = new HookOptions { MaxBundleEntries = 2 };
        var body = Some.OrderSignRequest(Some.SpineMriOrder("a"), Some.SpineMriOrder("b"));

        var request = HookRequestParser.Parse(Some.Utf8(body), limits, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Fact]
    public void Parse_PrefetchNotAnObject_IsInvalidPrefetch()
    {
        var body = Some.OrderSignRequest();
        body["prefetch"] = new JsonArray(Some.Patient());

        var error = Refused(body);

        Assert.Equal("invalid-prefetch", error.Code);
        Assert.Equal("prefetch", error.Path);
    }

    [Fact]
    public void Parse_PrefetchValueOfAnyShape_IsKeptForTheRecordStage()
    {
        var body = Some.OrderSignRequest();
        body["prefetch"] = new JsonObject { ["odd"] = "not fhir", ["num"] = 5 };

        var request = Parse(body, out var error);

        Assert.Null(error);
        Assert.Equal(JsonValueKind.String, request?.Prefetch["odd"].ValueKind);
        Assert.Equal(JsonValueKind.Number, request?.Prefetch["num"].ValueKind);
    }

    [Fact]
    public void Parse_Refusal_IsStatus400()
    {
        var body = Some.OrderSignRequest();
        body.Remove("hook");

        Assert.Equal(400, Refused(body).Status);
    }

    private static HookRequest? Parse(JsonNode body, out HookRequestError? error) =>
        HookRequestParser.Parse(Some.Utf8(body), Limits, out error);

    private static HookRequestError Refused(JsonNode body) => Refused(Some.Utf8(body));

    private static HookRequestError Refused(byte[] body)
    {
        var request = HookRequestParser.Parse(body, Limits, out var error);
        Assert.Null(request);
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        return error;
    }
}
