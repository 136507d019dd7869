namespace HwFence.Scsi.Iscsi.Login;

/// <summary>How a key's value is negotiated (RFC 7143 §6.2, §13).</summary>
public enum IscsiKeyKind
{
    /// <summary>Each side declares its own value; no answer (InitiatorName, MaxRecvDataSegmentLength, …).</summary>
    Declarative,
    /// <summary>The offerer lists values in preference order; the responder picks the first it supports.</summary>
    List,
    /// <summary>Result is Yes only if both say Yes (ImmediateData).</summary>
    BooleanAnd,
    /// <summary>Result is Yes if either says Yes (InitialR2T, DataPDUInOrder, DataSequenceInOrder).</summary>
    BooleanOr,
    /// <summary>Result is the smaller number (MaxBurstLength, FirstBurstLength, DefaultTime2Retain, …).</summary>
    NumericMin,
    /// <summary>Result is the larger number (DefaultTime2Wait).</summary>
    NumericMax,
}

/// <summary>One login/text key: name, negotiation kind and legal numeric range (RFC 7143 §13).</summary>
public sealed record IscsiKeyDefinition(string Name, IscsiKeyKind Kind, long Min = 0, long Max = 0);

/// <summary>Key names and their definitions (RFC 7143 §12, §13).</summary>
public static class IscsiKeys
{
    public const string InitiatorName = "InitiatorName";
    public const string InitiatorAlias = "InitiatorAlias";
    public const string TargetName = "TargetName";
    public const string TargetAlias = "TargetAlias";
    public const string TargetAddress = "TargetAddress";
    public const string TargetPortalGroupTag = "TargetPortalGroupTag";
    public const string SessionType = "SessionType";
    public const string SendTargets = "SendTargets";
    public const string AuthMethod = "AuthMethod";
    public const string HeaderDigest = "HeaderDigest";
    public const string DataDigest = "DataDigest";
    public const string MaxConnections = "MaxConnections";
    public const string InitialR2T = "InitialR2T";
    public const string ImmediateData = "ImmediateData";
    public const string MaxRecvDataSegmentLength = "MaxRecvDataSegmentLength";
    public const string MaxBurstLength = "MaxBurstLength";
    public const string FirstBurstLength = "FirstBurstLength";
    public const string DefaultTime2Wait = "DefaultTime2Wait";
    public const string DefaultTime2Retain = "DefaultTime2Retain";
    public const string MaxOutstandingR2T = "MaxOutstandingR2T";
    public const string DataPduInOrder = "DataPDUInOrder";
    public const string DataSequenceInOrder = "DataSequenceInOrder";
    public const string ErrorRecoveryLevel = "ErrorRecoveryLevel";

    // RFC 3720 §12.17–12.20 markers, dropped from RFC 7143 (§13.25 lists them as obsoleted). open-iscsi still offers
    // IFMarker=No and OFMarker=No and fails the login on NotUnderstood, so a target answers No (as tgtd and LIO do).
    public const string IfMarker = "IFMarker";
    public const string OfMarker = "OFMarker";
    public const string IfMarkInt = "IFMarkInt";
    public const string OfMarkInt = "OFMarkInt";
    public const string ChapAlgorithm = "CHAP_A";
    public const string ChapIdentifier = "CHAP_I";
    public const string ChapChallenge = "CHAP_C";
    public const string ChapName = "CHAP_N";
    public const string ChapResponse = "CHAP_R";

    /// <summary>Answer values with special meaning (RFC 7143 §6.2).</summary>
    public const string Reject = "Reject";
    public const string Irrelevant = "Irrelevant";
    public const string NotUnderstood = "NotUnderstood";
    public const string None = "None";
    public const string Crc32C = "CRC32C";
    public const string Yes = "Yes";
    public const string No = "No";

    private const long Max24 = 0xFF_FFFF;

    private static readonly Dictionary<string, IscsiKeyDefinition> Definitions = new IscsiKeyDefinition[]
    {
        new(InitiatorName, IscsiKeyKind.Declarative),
        new(InitiatorAlias, IscsiKeyKind.Declarative),
        new(TargetName, IscsiKeyKind.Declarative),
        new(TargetAlias, IscsiKeyKind.Declarative),
        new(TargetAddress, IscsiKeyKind.Declarative),
        new(TargetPortalGroupTag, IscsiKeyKind.Declarative, 0, 65535),
        new(SessionType, IscsiKeyKind.Declarative),
        new(AuthMethod, IscsiKeyKind.List),
        new(HeaderDigest, IscsiKeyKind.List),                             // §13.1
        new(DataDigest, IscsiKeyKind.List),                               // §13.1
        new(MaxConnections, IscsiKeyKind.NumericMin, 1, 65535),           // §13.2
        new(InitialR2T, IscsiKeyKind.BooleanOr),                          // §13.10
        new(ImmediateData, IscsiKeyKind.BooleanAnd),                      // §13.11
        new(MaxRecvDataSegmentLength, IscsiKeyKind.Declarative, 512, Max24), // §13.12
        new(MaxBurstLength, IscsiKeyKind.NumericMin, 512, Max24),         // §13.13
        new(FirstBurstLength, IscsiKeyKind.NumericMin, 512, Max24),       // §13.14
        new(DefaultTime2Wait, IscsiKeyKind.NumericMax, 0, 3600),          // §13.15
        new(DefaultTime2Retain, IscsiKeyKind.NumericMin, 0, 3600),        // §13.16
        new(MaxOutstandingR2T, IscsiKeyKind.NumericMin, 1, 65535),        // §13.17
        new(DataPduInOrder, IscsiKeyKind.BooleanOr),                      // §13.18
        new(DataSequenceInOrder, IscsiKeyKind.BooleanOr),                 // §13.19
        new(ErrorRecoveryLevel, IscsiKeyKind.NumericMin, 0, 2),           // §13.20
        new(IfMarker, IscsiKeyKind.BooleanAnd),                           // RFC 3720 §12.17
        new(OfMarker, IscsiKeyKind.BooleanAnd),                           // RFC 3720 §12.18
    }.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="name"/>, if it is a key this implementation negotiates.</summary>
    public static bool TryGet(string name, out IscsiKeyDefinition definition) =>
        Definitions.TryGetValue(name, out definition!);
}
