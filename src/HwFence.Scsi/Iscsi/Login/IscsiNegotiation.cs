using System.Globalization;

namespace HwFence.Scsi.Iscsi.Login;

/// <summary>
/// The negotiation rules of RFC 7143 §6.2 and §13, shared by initiator and target: what a responder
/// answers to an offer (<see cref="Respond"/>) and whether an offerer can accept an answer
/// (<see cref="TryAccept"/>). Values are compared case-sensitively, as the RFC requires.
/// </summary>
public static class IscsiNegotiation
{
    /// <summary>
    /// The responder's answer to <paramref name="key"/>=<paramref name="offered"/> given what it supports or
    /// prefers (<paramref name="local"/>: a comma list for list keys, a number or Yes/No otherwise). Null for
    /// declarative keys (no answer is sent). Unknown keys get NotUnderstood, illegal offers Reject (§6.2.1).
    /// </summary>
    public static string? Respond(string key, string offered, string local)
    {
        if (!IscsiKeys.TryGet(key, out var def))
        {
            return IscsiKeys.NotUnderstood;
        }

        switch (def.Kind)
        {
            case IscsiKeyKind.Declarative:
                return null;
            case IscsiKeyKind.List:
                string[] supported = local.Split(',');
                foreach (string candidate in offered.Split(','))
                {
                    if (Array.IndexOf(supported, candidate) >= 0)
                    {
                        return candidate;
                    }
                }

                return IscsiKeys.Reject;
            case IscsiKeyKind.BooleanAnd or IscsiKeyKind.BooleanOr:
                if (!TryParseBoolean(offered, out bool o) || !TryParseBoolean(local, out bool l))
                {
                    return IscsiKeys.Reject;
                }

                return FormatBoolean(def.Kind == IscsiKeyKind.BooleanAnd ? o && l : o || l);
            default:
                if (!TryParseNumber(def, offered, out long on) || !TryParseNumber(def, local, out long ln))
                {
                    return IscsiKeys.Reject;
                }

                return (def.Kind == IscsiKeyKind.NumericMin ? Math.Min(on, ln) : Math.Max(on, ln)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Checks the responder's <paramref name="answer"/> to our <paramref name="offered"/> value: the result
    /// must follow the key's rule (a list answer must be one of the offered values, a NumericMin answer must
    /// not exceed the offer, a BooleanAnd answer cannot turn our No into Yes, …). Reject, NotUnderstood and
    /// rule violations give false with an error naming key and values. Irrelevant keeps the offer.
    /// </summary>
    public static bool TryAccept(string key, string offered, string answer, out string result, out string? error)
    {
        result = answer;
        error = null;
        if (answer == IscsiKeys.Irrelevant)
        {
            result = offered;
            return true;
        }

        if (answer is IscsiKeys.Reject or IscsiKeys.NotUnderstood)
        {
            error = $"target answered {key}={answer} to our offer {key}={offered}";
            return false;
        }

        if (!IscsiKeys.TryGet(key, out var def))
        {
            return true;
        }

        switch (def.Kind)
        {
            case IscsiKeyKind.Declarative:
                return true;
            case IscsiKeyKind.List:
                if (answer.Contains(',', StringComparison.Ordinal) || Array.IndexOf(offered.Split(','), answer) < 0)
                {
                    error = $"target chose {key}={answer}, which is not among our offer {offered}";
                    return false;
                }

                return true;
            case IscsiKeyKind.BooleanAnd or IscsiKeyKind.BooleanOr:
                if (!TryParseBoolean(answer, out bool a) || !TryParseBoolean(offered, out bool o))
                {
                    error = $"target answered {key}={answer}: not Yes or No";
                    return false;
                }

                bool legal = def.Kind == IscsiKeyKind.BooleanAnd ? (o || !a) : (!o || a);
                if (!legal)
                {
                    error = $"target answered {key}={answer} to our {offered}, which {(def.Kind == IscsiKeyKind.BooleanAnd ? "Boolean AND" : "Boolean OR")} does not allow (RFC 7143 §6.2.2)";
                    return false;
                }

                return true;
            default:
                if (!TryParseNumber(def, answer, out long an) || !TryParseNumber(def, offered, out long on))
                {
                    error = $"target answered {key}={answer}: not a number in [{def.Min}, {def.Max}]";
                    return false;
                }

                if (def.Kind == IscsiKeyKind.NumericMin ? an > on : an < on)
                {
                    error = $"target answered {key}={answer} to our {offered}; the result must be the {(def.Kind == IscsiKeyKind.NumericMin ? "minimum" : "maximum")} (RFC 7143 §13)";
                    return false;
                }

                return true;
        }
    }

    /// <summary>
    /// The result when the responder did not answer a key we offered: Boolean keys whose outcome our offer
    /// decides (AND with No, OR with Yes) take our value; others keep the RFC default (null = no change).
    /// </summary>
    public static string? ResultWhenUnanswered(string key, string offered)
    {
        if (!IscsiKeys.TryGet(key, out var def) || !TryParseBoolean(offered, out bool o))
        {
            return null;
        }

        return (def.Kind == IscsiKeyKind.BooleanAnd && !o) || (def.Kind == IscsiKeyKind.BooleanOr && o) ? offered : null;
    }

    /// <summary>Yes/No → bool.</summary>
    public static bool TryParseBoolean(string value, out bool result)
    {
        result = value == IscsiKeys.Yes;
        return value is IscsiKeys.Yes or IscsiKeys.No;
    }

    /// <summary>bool → Yes/No.</summary>
    public static string FormatBoolean(bool value) => value ? IscsiKeys.Yes : IscsiKeys.No;

    /// <summary>A decimal (or 0x-hex, §6.1 numerical-value) number within the key's range.</summary>
    public static bool TryParseNumber(IscsiKeyDefinition def, string value, out long result)
    {
        bool ok = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result)
            : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
        return ok && result >= def.Min && result <= def.Max;
    }
}
