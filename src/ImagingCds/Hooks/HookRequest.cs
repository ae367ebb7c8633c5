using System.Text.Json;

namespace ImagingCds.Hooks;

/// <summary>A validated CDS Hooks 2.0 <c>order-sign</c> request, converted from the wire at the boundary.</summary>
/// <param name="Prefetch">Prefetch values by key; a JSON <c>null</c> value means "the EHR has no data" and is kept as such.</param>
public sealed record HookRequest(
    string Hook,
    string HookInstance,
    Uri? FhirServer,
    FhirAuthorization? FhirAuthorization,
    HookContext Context,
    IReadOnlyDictionary<string, JsonElement> Prefetch);

/// <summary>The <c>fhirAuthorization</c> object; the token is passed on to the FHIR server only, never logged.</summary>
public sealed record FhirAuthorization(string AccessToken, string TokenType, string? Scope, string? Subject)
{
    // Keeps the token out of any accidental ToString() in logs or exception messages.
    public override string ToString() => $"FhirAuthorization {{ TokenType = {TokenType}, Scope = {Scope} }}";
}

/// <summary>The <c>order-sign</c> context (https://cds-hooks.org/hooks/order-sign/).</summary>
/// <param name="PatientId">The patient's FHIR id, without the <c>Patient/</c> prefix.</param>
/// <param name="DraftOrders">The draft orders Bundle, as it arrived.</param>
public sealed record HookContext(string UserId, string PatientId, string? EncounterId, JsonElement DraftOrders);

/// <summary>Why a request was refused: an HTTP status, a stable code, what was wrong, and where.</summary>
/// <param name="Path">Where in the request, as a JSON path such as <c>context.patientId</c>; empty for the whole body.</param>
public sealed record HookRequestError(int Status, string Code, string Message, string Path);
