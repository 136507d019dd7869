using System.Buffers.Binary;
using System.Text;
using HwFence.Emulator.Nexus;
using HwFence.Emulator.Reservations;
using HwFence.Scsi.Commands;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;

namespace HwFence.Emulator.LogicalUnits;

public sealed partial class EmulatedLogicalUnit
{
    /// <summary>
    /// RESERVE(6) / RESERVE(10) (SPC-2 §7.21, §7.22): logical-unit reservation by this I_T nexus.
    /// Extents (RESERVE(6) byte 1 bit 0) and third-party reservations (RESERVE(10) byte 1 bit 4) are
    /// not supported. Re-reserving by the holder is GOOD; another holder was already refused by the
    /// conflict check.
    /// </summary>
    private CommandOutcome Reserve(ItNexus nexus, ref CommandIo io)
    {
        if (io.Cdb[0] == ScsiOpcode.Reserve6 ? (io.Cdb[1] & 0x01) != 0 : (io.Cdb[1] & 0x12) != 0)
        {
            return io.InvalidField(1, io.Cdb[0] == ScsiOpcode.Reserve6 ? 0 : 4);
        }

        if (_spc2Holder is null)
        {
            _spc2Holder = nexus;
            Changed($"SPC-2 reservation taken by {nexus}");
        }

        return CommandOutcome.Good();
    }

    /// <summary>RELEASE(6) / RELEASE(10) (SPC-2 §7.17): releases only the holder's reservation; GOOD without effect otherwise.</summary>
    private CommandOutcome Release(ItNexus nexus, ref CommandIo io)
    {
        if (io.Cdb[0] == ScsiOpcode.Release10 && (io.Cdb[1] & 0x10) != 0)
        {
            return io.InvalidField(1, 4);
        }

        if (ReferenceEquals(_spc2Holder, nexus))
        {
            _spc2Holder = null;
            Changed($"SPC-2 reservation released by {nexus}");
        }

        return CommandOutcome.Good();
    }

    /// <summary>
    /// PERSISTENT RESERVE IN (SPC-4 §6.15): byte 1 SERVICE ACTION (4-0), bytes 7-8 ALLOCATION LENGTH.
    /// Data longer than the allocation length is truncated; the length fields still report the full size.
    /// </summary>
    private CommandOutcome PersistentReserveIn(ref CommandIo io)
    {
        int alloc = BinaryPrimitives.ReadUInt16BigEndian(io.Cdb[7..]);
        var action = (PrInServiceAction)(io.Cdb[1] & 0x1F);
        int regs = _pr.Registrations.Count;
        int size = action switch
        {
            PrInServiceAction.ReadKeys => 8 + 8 * regs,
            PrInServiceAction.ReadReservation => 8 + 16,
            PrInServiceAction.ReportCapabilities => 8,
            PrInServiceAction.ReadFullStatus => 8 + regs * (24 + 4 + 256),
            _ => -1,
        };
        if (size < 0)
        {
            return io.InvalidField(1, 4);
        }

        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var b = rented.AsSpan(0, size);
            b.Clear();
            int len = action switch
            {
                PrInServiceAction.ReadKeys => ReadKeys(b),
                PrInServiceAction.ReadReservation => ReadReservation(b),
                PrInServiceAction.ReportCapabilities => ReportCapabilities(b),
                _ => ReadFullStatus(b),
            };
            return io.Respond(b[..len], alloc);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>READ KEYS (SPC-4 §6.15.2): PRGENERATION(0-3), ADDITIONAL LENGTH(4-7), then 8-byte keys.</summary>
    private int ReadKeys(Span<byte> b)
    {
        Span<ulong> keys = stackalloc ulong[PersistentReservationState.MaxRegistrations];
        int n = 0;
        foreach (var r in _pr.Registrations)
        {
            keys[n++] = r.Key;
        }

        return PrReadKeysData.Write(b, _pr.Generation, keys[..n]);
    }

    /// <summary>
    /// READ RESERVATION (SPC-4 §6.15.3): header, then when reserved: RESERVATION KEY (zero for
    /// all-registrants types, §5.13.10.2), SCOPE | TYPE.
    /// </summary>
    private int ReadReservation(Span<byte> b)
    {
        PrReservation? reservation = _pr.Holder is { } holder
            ? new PrReservation(PersistentReservationState.IsAllRegistrants(_pr.Type) ? 0 : holder.Key, _pr.Type, _pr.Scope)
            : null;
        return PrReadReservationData.Write(b, _pr.Generation, reservation);
    }

    /// <summary>
    /// REPORT CAPABILITIES (SPC-4 §6.15.4): RLR_C=0, CRH=0, SIP_C=0 (SPEC_I_PT unsupported),
    /// ATP_C=1, PTPL_C=1, TMV=1 with all six types, ALLOW COMMANDS=0, PTPL_A = current APTPL.
    /// </summary>
    private int ReportCapabilities(Span<byte> b) =>
        new PrCapabilities(
            ReplaceLostReservationCapable: false,
            CompatibleReservationHandling: false,
            SpecifyInitiatorPortsCapable: false,
            AllTargetPortsCapable: true,
            PersistThroughPowerLossCapable: true,
            TypeMaskValid: true,
            AllowCommands: 0,
            PersistThroughPowerLossActivated: _pr.Aptpl,
            TypeMask: PrCapabilities.MaskOf([.. PersistentReservationTypeNames.All])).Write(b);

    /// <summary>
    /// READ FULL STATUS (SPC-4 §6.15.5): one descriptor per registration with ALL_TG_PT, R_HOLDER,
    /// SCOPE/TYPE, RELATIVE TARGET PORT IDENTIFIER and the initiator port's iSCSI TransportID
    /// (FORMAT CODE 01b, "name,i,0x&lt;isid&gt;", SPC-4 §7.6.4.6).
    /// </summary>
    private int ReadFullStatus(Span<byte> b)
    {
        var descriptors = new List<PrFullStatusDescriptor>(_pr.Registrations.Count);
        foreach (var r in _pr.Registrations)
        {
            bool holder = _pr.Holder is not null && (PersistentReservationState.IsAllRegistrants(_pr.Type) || ReferenceEquals(_pr.Holder, r));
            string isid = r.Initiator.Isid.ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
            var raw = new byte[TransportId.IscsiLength(r.Initiator.Name, isid)];
            TransportId.WriteIscsi(raw, r.Initiator.Name, isid);
            descriptors.Add(new PrFullStatusDescriptor(
                r.Key,
                r.AllTargetPorts,
                holder,
                holder ? _pr.Scope : (byte)0,
                holder ? _pr.Type : 0,
                r.AllTargetPorts ? (ushort)0 : r.RelativeTargetPortId,
                new TransportId(TransportId.ProtocolIscsi, 1, r.Initiator.Name, isid, null, raw)));
        }

        return PrFullStatusData.Write(b, _pr.Generation, descriptors);
    }

    /// <summary>
    /// PERSISTENT RESERVE OUT (SPC-4 §6.16): byte 1 SERVICE ACTION, byte 2 SCOPE(7-4) | TYPE(3-0),
    /// bytes 5-8 PARAMETER LIST LENGTH (24 without SPEC_I_PT).
    /// </summary>
    private CommandOutcome PersistentReserveOut(ItNexus nexus, ref CommandIo io)
    {
        var action = (PrOutServiceAction)(io.Cdb[1] & 0x1F);
        if (action is PrOutServiceAction.RegisterAndMove or PrOutServiceAction.ReplaceLostReservation or > PrOutServiceAction.ReplaceLostReservation)
        {
            return io.InvalidField(1, 4);
        }

        uint listLength = ReadUInt32(io.Cdb[5..]);
        if (listLength >= PrOutParameterList.BasicLength && io.DataOut.Length >= PrOutParameterList.BasicLength && (io.DataOut[20] & (byte)PrOutFlags.SpecIPt) != 0)
        {
            // SIP_C=0 (REPORT CAPABILITIES): SPEC_I_PT is refused for every service action (SPC-4 §6.16.3).
            return io.InvalidParameter(20, 3);
        }

        if (listLength != PrOutParameterList.BasicLength || io.DataOut.Length < PrOutParameterList.BasicLength)
        {
            // Without SPEC_I_PT the list is exactly 24 bytes (SPC-4 §6.16.3).
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
        }

        if (!PrOutParameterList.TryParse(io.DataOut[..PrOutParameterList.BasicLength], out var list, out _))
        {
            return io.Check(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
        }

        byte scope = (byte)(io.Cdb[2] >> 4);
        var type = (PersistentReservationType)(io.Cdb[2] & 0x0F);
        bool wasAptpl = _pr.Aptpl;
        uint generation = _pr.Generation;
        var holder = _pr.Holder;
        var oldType = _pr.Type;
        var result = _pr.Execute(nexus, action, scope, type, list, this);
        switch (result.Status)
        {
            case PrOutStatus.Good:
                break;
            case PrOutStatus.ReservationConflict:
                return CommandOutcome.ReservationConflict;
            case PrOutStatus.InvalidFieldInCdb:
                return io.InvalidField(result.FieldPointer, result.BitPointer);
            case PrOutStatus.InvalidFieldInParameterList:
                return io.InvalidParameter(result.FieldPointer, result.BitPointer);
            case PrOutStatus.InvalidRelease:
                return io.Check(SenseKey.IllegalRequest, AdditionalSense.InvalidReleaseOfPersistentReservation);
            case PrOutStatus.InsufficientRegistrationResources:
                return io.Check(SenseKey.IllegalRequest, AdditionalSense.InsufficientRegistrationResources);
            default:
                return io.Check(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
        }

        if (generation != _pr.Generation || !ReferenceEquals(holder, _pr.Holder) || oldType != _pr.Type || wasAptpl != _pr.Aptpl)
        {
            PersistIfNeeded(wasAptpl);
            Changed($"{ScsiCommandNames.PrOutName(action)} by {nexus}: {DescribeReservationLocked()}");
        }

        return CommandOutcome.Good();
    }

    /// <summary>One line describing registrations and the reservation, for logs.</summary>
    public string DescribeReservation()
    {
        lock (_gate)
        {
            return DescribeReservationLocked();
        }
    }

    private string DescribeReservationLocked()
    {
        var sb = new StringBuilder();
        sb.Append("PRgeneration ").Append(_pr.Generation).Append(", ").Append(_pr.Registrations.Count).Append(" registration(s)");
        if (_pr.Holder is { } h)
        {
            sb.Append(", reserved ").Append(PersistentReservationTypeNames.Abbreviation(_pr.Type));
            if (!PersistentReservationState.IsAllRegistrants(_pr.Type))
            {
                sb.Append(" by key 0x").Append(h.Key.ToString("x16", System.Globalization.CultureInfo.InvariantCulture))
                  .Append(" (").Append(h.Initiator.PortName).Append(')');
            }
        }
        else
        {
            sb.Append(", not reserved");
        }

        if (_pr.Aptpl)
        {
            sb.Append(", APTPL");
        }

        return sb.ToString();
    }
}
