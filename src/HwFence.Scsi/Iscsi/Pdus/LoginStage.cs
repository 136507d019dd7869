namespace HwFence.Scsi.Iscsi.Pdus;

/// <summary>Login stages, the CSG/NSG fields of Login Request/Response (RFC 7143 §11.12.3).</summary>
public enum LoginStage : byte
{
    SecurityNegotiation = 0,
    LoginOperationalNegotiation = 1,
    FullFeaturePhase = 3,
}
