using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HwFence.Hal.Scsi;
using HwFence.Scsi.Capacity;
using HwFence.Scsi.Commands;
using HwFence.Scsi.Inquiry;
using HwFence.Scsi.PersistentReservations;
using HwFence.Scsi.Sense;
using HwFence.Scsi.UnitAttention;

namespace HwFence.Scsi;

/// <summary>
/// Typed, asynchronous SCSI commands on one logical unit, over any <see cref="IScsiTransport"/>
/// (SG_IO, SPTI, iSCSI, emulator loopback).
/// </summary>
/// <remarks>
/// <para>Two shapes per command. <c>Try…Async</c> returns a <see cref="ScsiOutcome"/> whatever the
/// status, so the drive pulse and fencing can see RESERVATION CONFLICT as data; the plain
/// <c>…Async</c> throws <see cref="ScsiCommandException"/> for any status but GOOD. Transport failures
/// (no status at all) always throw <see cref="ScsiTransportException"/>.</para>
/// <para>UNIT ATTENTION is consumed and the command re-issued, up to
/// <see cref="ScsiDeviceOptions.UnitAttentionRetries"/> times (<see cref="UnitAttentions"/> reports
/// every condition; the outcome says which kinds were seen).</para>
/// <para>Commands are serialised by a gate: a device executes one command at a time, so that the
/// CDB, sense and small-response buffers can be reused. TEST UNIT READY, READ, WRITE, RESERVE(6),
/// RELEASE(6), READ RESERVATION and PR OUT without TransportIDs do not allocate in steady state.</para>
/// </remarks>
public sealed class ScsiDevice : IAsyncDisposable
{
    /// <summary>PR IN and INQUIRY allocation lengths are 16-bit fields.</summary>
    private const int MaxAllocation16 = ushort.MaxValue;

    /// <summary>REPORT LUNS lists up to this many bytes (16383 LUNs, flat space addressing).</summary>
    private const int MaxReportLuns = 8 + 8 * (ScsiLun.MaxNumber + 1);

    /// <summary>Scratch buffer for small data-in responses (READ RESERVATION, READ CAPACITY, REQUEST SENSE, REPORT CAPABILITIES…).</summary>
    private const int ScratchLength = 256;

    private readonly IScsiTransport _transport;
    private readonly ScsiDeviceOptions _options;
    private readonly bool _ownsTransport;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _cdb = new byte[Cdb.MaxLength];
    private readonly byte[] _sense = new byte[SenseData.MaxLength];
    private readonly byte[] _scratch = new byte[ScratchLength];
    private readonly byte[] _parameters = new byte[PrOutParameterList.BasicLength];
    private int _disposed;

    /// <param name="transport">The path to the logical unit.</param>
    /// <param name="options">Timeouts and UA policy; validated here.</param>
    /// <param name="ownsTransport">Dispose <paramref name="transport"/> with the device (default true).</param>
    public ScsiDevice(IScsiTransport transport, ScsiDeviceOptions? options = null, bool ownsTransport = true)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _options = options ?? new ScsiDeviceOptions();
        ScsiDeviceOptionsValidator.ThrowIfInvalid(_options);
        _transport = transport;
        _ownsTransport = ownsTransport;
        UnitAttentions = new UnitAttentionHandler(_options.UnitAttentionRetries, _options.TimeProvider);
    }

    /// <summary>The device address, as used in every message.</summary>
    public string Address => _transport.Address;

    /// <summary>The underlying transport (for <see cref="IScsiTransport.NexusGeneration"/> and <see cref="IScsiTransport.NexusReplaced"/>).</summary>
    public IScsiTransport Transport => _transport;

    /// <summary>Every UNIT ATTENTION this device consumed: subscribe to <see cref="UnitAttentionHandler.Seen"/>.</summary>
    public UnitAttentionHandler UnitAttentions { get; }

    /// <summary>Logical block length learnt from the last READ CAPACITY; READ/WRITE check buffer sizes against it.</summary>
    public uint? BlockLength { get; private set; }

    // ----------------------------------------------------------------- generic

    /// <summary>
    /// Executes a caller-built CDB with UNIT ATTENTION handling. For commands this class has no
    /// method for; <paramref name="cdb"/> must stay unchanged until the call completes.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiOutcome> ExecuteAsync(
        ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunAsync(cdb, direction, data, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // ----------------------------------------------------------------- TEST UNIT READY / REQUEST SENSE

    /// <summary>TEST UNIT READY (SPC-4 §6.37); the status is the answer (GOOD, RESERVATION CONFLICT, NOT READY…).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiOutcome> TryTestUnitReadyAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int n = Cdb.TestUnitReady(_cdb);
            return await RunAsync(_cdb.AsMemory(0, n), DataDirection.None, Memory<byte>.Empty, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>TEST UNIT READY; throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask TestUnitReadyAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await TryTestUnitReadyAsync(timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    /// <summary>
    /// Consumes every pending UNIT ATTENTION (TEST UNIT READY until one completes without a UA) and
    /// returns what was seen. Call after login/open, after <see cref="IScsiTransport.NexusReplaced"/>,
    /// and before reading reservation state.
    /// </summary>
    public async ValueTask<IReadOnlyList<UnitAttentionEvent>> ClearUnitAttentionsAsync(CancellationToken cancellationToken = default)
    {
        var seen = new List<UnitAttentionEvent>();
        void Collect(UnitAttentionEvent e) => seen.Add(e);
        UnitAttentions.Seen += Collect;
        try
        {
            await TryTestUnitReadyAsync(null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            UnitAttentions.Seen -= Collect;
        }

        return seen;
    }

    /// <summary>REQUEST SENSE (SPC-4 §6.39): the sense of a pending deferred error, or NO SENSE.</summary>
    public async ValueTask<SenseData> RequestSenseAsync(bool descriptorFormat = false, CancellationToken cancellationToken = default) =>
        await QueryAsync(
            (c, n) => Cdb.RequestSense(c, (byte)Math.Min(n, SenseData.MaxLength), descriptorFormat),
            SenseData.MaxLength,
            static (ReadOnlySpan<byte> d, out SenseData r, out string? e) => SenseData.TryParse(d, out r, out e),
            cancellationToken).ConfigureAwait(false);

    // ----------------------------------------------------------------- INQUIRY / capacity / LUNs

    /// <summary>Standard INQUIRY data (SPC-4 §6.6.2).</summary>
    public ValueTask<StandardInquiryData> InquiryAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            static (c, n) => Cdb.Inquiry(c, n),
            96,
            static (ReadOnlySpan<byte> d, out StandardInquiryData r, out string? e) =>
            {
                bool ok = StandardInquiryData.TryParse(d, out var x, out e);
                r = x!;
                return ok;
            },
            cancellationToken);

    /// <summary>A VPD page's raw bytes (header included), for pages HwFence does not decode.</summary>
    public ValueTask<byte[]> InquiryVpdAsync(byte page, CancellationToken cancellationToken = default) =>
        QueryGrowingAsync(
            (c, n) => Cdb.Inquiry(c, n, page),
            ScratchLength,
            MaxAllocation16,
            (ReadOnlySpan<byte> d, out byte[] r, out string? e) =>
            {
                bool ok = VpdPageHeader.TryParse(d, page, $"VPD page 0x{page:X2}", out var h, out e);
                r = ok ? d[..(VpdPageHeader.Length + h.Available)].ToArray() : [];
                return ok;
            },
            static raw => raw.Length < VpdPageHeader.Length + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(2)),
            cancellationToken);

    /// <summary>Supported VPD Pages (00h).</summary>
    public async ValueTask<SupportedVpdPages> SupportedVpdPagesAsync(CancellationToken cancellationToken = default) =>
        Decode(await InquiryVpdAsync(VpdPageHeader.SupportedPages, cancellationToken).ConfigureAwait(false), "INQUIRY (VPD 00h)",
            static (ReadOnlySpan<byte> d, out SupportedVpdPages r, out string? e) => { bool ok = SupportedVpdPages.TryParse(d, out var x, out e); r = x!; return ok; });

    /// <summary>Unit Serial Number (80h).</summary>
    public async ValueTask<UnitSerialNumberPage> UnitSerialNumberAsync(CancellationToken cancellationToken = default) =>
        Decode(await InquiryVpdAsync(VpdPageHeader.UnitSerialNumber, cancellationToken).ConfigureAwait(false), "INQUIRY (VPD 80h)",
            static (ReadOnlySpan<byte> d, out UnitSerialNumberPage r, out string? e) => { bool ok = UnitSerialNumberPage.TryParse(d, out var x, out e); r = x!; return ok; });

    /// <summary>Device Identification (83h): NAA / EUI-64 / T10 designators.</summary>
    public async ValueTask<DeviceIdentificationPage> DeviceIdentificationAsync(CancellationToken cancellationToken = default) =>
        Decode(await InquiryVpdAsync(VpdPageHeader.DeviceIdentification, cancellationToken).ConfigureAwait(false), "INQUIRY (VPD 83h)",
            static (ReadOnlySpan<byte> d, out DeviceIdentificationPage r, out string? e) => { bool ok = DeviceIdentificationPage.TryParse(d, out var x, out e); r = x!; return ok; });

    /// <summary>READ CAPACITY(10) (SBC-3 §5.15).</summary>
    public async ValueTask<ReadCapacity10Data> ReadCapacity10Async(CancellationToken cancellationToken = default)
    {
        var data = await QueryAsync(
            static (c, _) => Cdb.ReadCapacity10(c),
            ReadCapacity10Data.Length,
            static (ReadOnlySpan<byte> d, out ReadCapacity10Data r, out string? e) => ReadCapacity10Data.TryParse(d, out r, out e),
            cancellationToken).ConfigureAwait(false);
        BlockLength = data.BlockLength;
        return data;
    }

    /// <summary>READ CAPACITY(16) (SBC-3 §5.16).</summary>
    public async ValueTask<ReadCapacity16Data> ReadCapacity16Async(CancellationToken cancellationToken = default)
    {
        var data = await QueryAsync(
            static (c, n) => Cdb.ReadCapacity16(c, (uint)n),
            ReadCapacity16Data.Length,
            static (ReadOnlySpan<byte> d, out ReadCapacity16Data r, out string? e) => ReadCapacity16Data.TryParse(d, out r, out e),
            cancellationToken).ConfigureAwait(false);
        BlockLength = data.BlockLength;
        return data;
    }

    /// <summary>
    /// The capacity the way sg_readcap does it: READ CAPACITY(10), and READ CAPACITY(16) when the
    /// disk has 2^32 blocks or more.
    /// </summary>
    public async ValueTask<ReadCapacity16Data> ReadCapacityAsync(CancellationToken cancellationToken = default)
    {
        var rc10 = await ReadCapacity10Async(cancellationToken).ConfigureAwait(false);
        return rc10.NeedsReadCapacity16
            ? await ReadCapacity16Async(cancellationToken).ConfigureAwait(false)
            : new ReadCapacity16Data(rc10.LastLba, rc10.BlockLength);
    }

    /// <summary>REPORT LUNS (SPC-4 §6.33).</summary>
    public ValueTask<ReportLunsData> ReportLunsAsync(CancellationToken cancellationToken = default) =>
        QueryGrowingAsync(
            static (c, n) => Cdb.ReportLuns(c, (uint)n),
            ScratchLength,
            MaxReportLuns,
            static (ReadOnlySpan<byte> d, out ReportLunsData r, out string? e) => { bool ok = ReportLunsData.TryParse(d, out var x, out e); r = x!; return ok; },
            static r => r.Truncated,
            cancellationToken);

    // ----------------------------------------------------------------- READ / WRITE / SYNCHRONIZE CACHE

    /// <summary>
    /// READ(10), or READ(16) when the LBA or length does not fit READ(10) (SBC-3 §5.11, §5.13).
    /// <paramref name="buffer"/> must be exactly <paramref name="blocks"/> × block length bytes.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiOutcome> TryReadAsync(ulong lba, int blocks, Memory<byte> buffer, bool fua = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        CheckTransfer(blocks, buffer.Length);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int n = Fits10(lba, blocks) ? Cdb.Read10(_cdb, (uint)lba, (ushort)blocks, fua) : Cdb.Read16(_cdb, lba, (uint)blocks, fua);
            return await RunAsync(_cdb.AsMemory(0, n), DataDirection.FromDevice, buffer, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>READ; throws unless GOOD. Returns the bytes transferred.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(ulong lba, int blocks, Memory<byte> buffer, bool fua = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var outcome = await TryReadAsync(lba, blocks, buffer, fua, timeout, cancellationToken).ConfigureAwait(false);
        outcome.ThrowIfNotGood();
        return outcome.Transferred;
    }

    /// <summary>
    /// WRITE(10), or WRITE(16) when needed (SBC-3 §5.32, §5.34). <paramref name="fua"/> = true
    /// bypasses the device's write cache: the disk-slot pulse uses it so that a peer reading the slot
    /// sees the value from the medium.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiOutcome> TryWriteAsync(ulong lba, int blocks, ReadOnlyMemory<byte> data, bool fua = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        CheckTransfer(blocks, data.Length);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int n = Fits10(lba, blocks) ? Cdb.Write10(_cdb, (uint)lba, (ushort)blocks, fua) : Cdb.Write16(_cdb, lba, (uint)blocks, fua);
            // The transport only reads the buffer for DataDirection.ToDevice.
            return await RunAsync(_cdb.AsMemory(0, n), DataDirection.ToDevice, MemoryMarshal.AsMemory(data), timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>WRITE; throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ulong lba, int blocks, ReadOnlyMemory<byte> data, bool fua = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await TryWriteAsync(lba, blocks, data, fua, timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    /// <summary>SYNCHRONIZE CACHE(10) of the whole disk (SBC-3 §5.22).</summary>
    public ValueTask<ScsiOutcome> TrySynchronizeCacheAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        SimpleAsync(static c => Cdb.SynchronizeCache10(c), timeout, cancellationToken);

    /// <summary>SYNCHRONIZE CACHE(10); throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SynchronizeCacheAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await TrySynchronizeCacheAsync(timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    // ----------------------------------------------------------------- SPC-2 RESERVE / RELEASE

    /// <summary>RESERVE(6) (SPC-2 §7.21): RESERVATION CONFLICT when another initiator holds it.</summary>
    public ValueTask<ScsiOutcome> TryReserveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        SimpleAsync(static c => Cdb.Reserve6(c), timeout, cancellationToken);

    /// <summary>RESERVE(6); throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReserveAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await TryReserveAsync(timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    /// <summary>RELEASE(6) (SPC-2 §7.19): GOOD also when this initiator held nothing.</summary>
    public ValueTask<ScsiOutcome> TryReleaseAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        SimpleAsync(static c => Cdb.Release6(c), timeout, cancellationToken);

    /// <summary>RELEASE(6); throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReleaseAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (await TryReleaseAsync(timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    // ----------------------------------------------------------------- PERSISTENT RESERVE IN

    /// <summary>READ KEYS (SPC-4 §6.13.2): generation and registered keys; re-asks with a larger buffer if the list was cut.</summary>
    public ValueTask<PrReadKeysData> ReadKeysAsync(CancellationToken cancellationToken = default) =>
        QueryGrowingAsync(
            static (c, n) => Cdb.PersistentReserveIn(c, PrInServiceAction.ReadKeys, n),
            ScratchLength,
            MaxAllocation16,
            static (ReadOnlySpan<byte> d, out PrReadKeysData r, out string? e) => { bool ok = PrReadKeysData.TryParse(d, out var x, out e); r = x!; return ok; },
            static r => r.Truncated,
            cancellationToken);

    /// <summary>READ RESERVATION (SPC-4 §6.13.3): generation and the reservation, if any. Does not allocate.</summary>
    public ValueTask<PrReadReservationData> ReadReservationAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            static (c, n) => Cdb.PersistentReserveIn(c, PrInServiceAction.ReadReservation, n),
            PrReadReservationData.LengthWithReservation,
            static (ReadOnlySpan<byte> d, out PrReadReservationData r, out string? e) => PrReadReservationData.TryParse(d, out r, out e),
            cancellationToken);

    /// <summary>REPORT CAPABILITIES (SPC-4 §6.13.4).</summary>
    public ValueTask<PrCapabilities> ReportCapabilitiesAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            static (c, n) => Cdb.PersistentReserveIn(c, PrInServiceAction.ReportCapabilities, n),
            PrCapabilities.Length,
            static (ReadOnlySpan<byte> d, out PrCapabilities r, out string? e) => PrCapabilities.TryParse(d, out r, out e),
            cancellationToken);

    /// <summary>
    /// READ FULL STATUS (SPC-4 §6.13.5). tgtd 1.0.85 does not implement it: that surfaces as a
    /// <see cref="ScsiCommandException"/> whose outcome has <see cref="ScsiOutcome.IsNotSupported"/>.
    /// </summary>
    public ValueTask<PrFullStatusData> ReadFullStatusAsync(CancellationToken cancellationToken = default) =>
        QueryGrowingAsync(
            static (c, n) => Cdb.PersistentReserveIn(c, PrInServiceAction.ReadFullStatus, n),
            1024,
            MaxAllocation16,
            static (ReadOnlySpan<byte> d, out PrFullStatusData r, out string? e) => { bool ok = PrFullStatusData.TryParse(d, out var x, out e); r = x!; return ok; },
            static r => r.Truncated,
            cancellationToken);

    // ----------------------------------------------------------------- PERSISTENT RESERVE OUT

    /// <summary>
    /// PERSISTENT RESERVE OUT (SPC-4 §6.14) with the basic parameter list. <paramref name="key"/> is
    /// this nexus's registered key (0 when registering anew), <paramref name="serviceActionKey"/>
    /// the new key (REGISTER) or the key to preempt (PREEMPT, PREEMPT AND ABORT).
    /// <paramref name="transportIds"/> only with <see cref="PrOutFlags.SpecIPt"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiOutcome> TryPersistentReserveOutAsync(
        PrOutServiceAction action,
        PersistentReservationType? type,
        ulong key,
        ulong serviceActionKey = 0,
        PrOutFlags flags = PrOutFlags.None,
        ReadOnlyMemory<byte> transportIds = default,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var list = new PrOutParameterList(key, serviceActionKey, flags, transportIds);
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[] parameters = list.Length <= _parameters.Length ? _parameters : new byte[list.Length];
            int length = list.Write(parameters);
            int n = Cdb.PersistentReserveOut(_cdb, action, type, (uint)length);
            return await RunAsync(_cdb.AsMemory(0, n), DataDirection.ToDevice, parameters.AsMemory(0, length), timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>PERSISTENT RESERVE OUT; throws unless GOOD.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask PersistentReserveOutAsync(
        PrOutServiceAction action,
        PersistentReservationType? type,
        ulong key,
        ulong serviceActionKey = 0,
        PrOutFlags flags = PrOutFlags.None,
        ReadOnlyMemory<byte> transportIds = default,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        (await TryPersistentReserveOutAsync(action, type, key, serviceActionKey, flags, transportIds, timeout, cancellationToken).ConfigureAwait(false)).ThrowIfNotGood();

    /// <summary>REGISTER AND IGNORE EXISTING KEY with <paramref name="key"/>: registers this nexus whatever it held (0 unregisters).</summary>
    public ValueTask RegisterAsync(ulong key, PrOutFlags flags = PrOutFlags.None, CancellationToken cancellationToken = default) =>
        PersistentReserveOutAsync(PrOutServiceAction.RegisterAndIgnoreExistingKey, null, 0, key, flags, cancellationToken: cancellationToken);

    /// <summary>RESERVE with this nexus's <paramref name="key"/>.</summary>
    public ValueTask<ScsiOutcome> TryPersistentReserveAsync(ulong key, PersistentReservationType type, CancellationToken cancellationToken = default) =>
        TryPersistentReserveOutAsync(PrOutServiceAction.Reserve, type, key, cancellationToken: cancellationToken);

    /// <summary>
    /// PREEMPT (or PREEMPT AND ABORT when <paramref name="abort"/>) <paramref name="victimKey"/>,
    /// taking a <paramref name="type"/> reservation: the SCSI-3 fence.
    /// </summary>
    public ValueTask<ScsiOutcome> TryPreemptAsync(ulong key, ulong victimKey, PersistentReservationType type, bool abort, CancellationToken cancellationToken = default) =>
        TryPersistentReserveOutAsync(abort ? PrOutServiceAction.PreemptAndAbort : PrOutServiceAction.Preempt, type, key, victimKey, cancellationToken: cancellationToken);

    // ----------------------------------------------------------------- plumbing

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        if (_ownsTransport)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private delegate int SimpleCdbWriter(Span<byte> cdb);

    private delegate int CdbWriter(Span<byte> cdb, int allocationLength);

    private delegate bool DataParser<T>(ReadOnlySpan<byte> data, out T result, out string? error);

    private Task EnterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _gate.WaitAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ScsiOutcome> SimpleAsync(SimpleCdbWriter write, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int n = write(_cdb);
            return await RunAsync(_cdb.AsMemory(0, n), DataDirection.None, Memory<byte>.Empty, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Data-in command: builds the CDB, reads into scratch (or a pooled buffer), throws unless GOOD, parses.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> QueryAsync<T>(CdbWriter write, int allocationLength, DataParser<T> parse, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        byte[]? rented = null;
        try
        {
            byte[] buffer = allocationLength <= _scratch.Length ? _scratch : rented = ArrayPool<byte>.Shared.Rent(allocationLength);
            int n = write(_cdb, allocationLength);
            var outcome = await RunAsync(_cdb.AsMemory(0, n), DataDirection.FromDevice, buffer.AsMemory(0, allocationLength), null, cancellationToken).ConfigureAwait(false);
            outcome.ThrowIfNotGood();
            return parse(buffer.AsSpan(0, outcome.Transferred), out var result, out var error)
                ? result
                : throw new ScsiResponseException(Address, outcome.Command, error!);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            _gate.Release();
        }
    }

    /// <summary>
    /// A data-in query whose answer may be longer than the first allocation length: asks again with a
    /// 4× larger buffer (up to <paramref name="maxAllocation"/>) while the parsed result says it was cut.
    /// </summary>
    private async ValueTask<T> QueryGrowingAsync<T>(
        CdbWriter write, int initialAllocation, int maxAllocation, DataParser<T> parse, Func<T, bool> truncated, CancellationToken cancellationToken)
    {
        int allocation = initialAllocation;
        while (true)
        {
            var result = await QueryAsync(write, allocation, parse, cancellationToken).ConfigureAwait(false);
            if (!truncated(result) || allocation >= maxAllocation)
            {
                return result;
            }

            allocation = (int)Math.Min(maxAllocation, allocation * 4L);
        }
    }

    private T Decode<T>(byte[] raw, string command, DataParser<T> parse) =>
        parse(raw, out var result, out var error) ? result : throw new ScsiResponseException(Address, command, error!);

    /// <summary>
    /// Executes the CDB (caller holds the gate), consuming UNIT ATTENTION conditions per
    /// <see cref="UnitAttentionHandler"/>; the command is re-issued unchanged because a UA means it
    /// was not executed (SAM-5 §5.14).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ScsiOutcome> RunAsync(ReadOnlyMemory<byte> cdb, DataDirection direction, Memory<byte> data, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        string command = ScsiCommandNames.Name(cdb.Span);
        var seen = UnitAttentionKind.None;
        int attempts = 0;
        while (true)
        {
            var result = await _transport.ExecuteAsync(cdb, direction, data, _sense, timeout ?? _options.DefaultTimeout, cancellationToken).ConfigureAwait(false);
            SenseData? sense = null;
            if (result.Status == ScsiStatus.CheckCondition && result.SenseLength > 0 &&
                SenseData.TryParse(_sense.AsSpan(0, Math.Min(result.SenseLength, _sense.Length)), out var parsed, out _))
            {
                sense = parsed;
                var kind = UnitAttentions.Observe(Address, command, parsed, attempts, out bool retry);
                if (kind != UnitAttentionKind.None)
                {
                    seen |= kind;
                    attempts++;
                    if (retry)
                    {
                        continue;
                    }
                }
            }

            return new ScsiOutcome(Address, command, result.Status, sense, result.Transferred(data.Length), seen, attempts);
        }
    }

    private void CheckTransfer(int blocks, int bufferLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        if (BlockLength is uint bl && (long)blocks * bl != bufferLength)
        {
            throw new ArgumentException(
                $"device {Address}: {blocks} blocks of {bl} bytes need a {(long)blocks * bl}-byte buffer, got {bufferLength}", nameof(bufferLength));
        }
    }

    private static bool Fits10(ulong lba, int blocks) => blocks <= ushort.MaxValue && lba + (ulong)blocks <= (ulong)uint.MaxValue + 1;
}
