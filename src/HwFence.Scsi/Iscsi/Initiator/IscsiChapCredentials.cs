namespace HwFence.Scsi.Iscsi;

/// <summary>
/// CHAP secrets for login (RFC 7143 §12.1.3). <see cref="User"/>/<see cref="Secret"/> answer the target's
/// challenge; with <see cref="TargetUser"/>/<see cref="TargetSecret"/> set, the initiator also challenges
/// the target (mutual CHAP) and refuses a target that cannot prove the secret.
/// </summary>
public sealed record IscsiChapCredentials(string User, string Secret, string? TargetUser = null, string? TargetSecret = null)
{
    /// <summary>True when the target must authenticate too.</summary>
    public bool Mutual => TargetSecret is not null;

    /// <inheritdoc/>
    public override string ToString() => $"CHAP user {User}{(Mutual ? $", target user {TargetUser}" : "")}"; // never the secrets
}
