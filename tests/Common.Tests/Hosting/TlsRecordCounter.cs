namespace Vod.Common.Tests.Hosting;

/// <summary>
/// Sits between a client's socket stream and its <see cref="System.Net.Security.SslStream"/> and reads the TLS record
/// headers going by (RFC 8446 section 5.1: content type, legacy version, 16-bit length), so a test sees how the server
/// cut what it sent into records. Counts from <see cref="StartCounting"/> on.
/// </summary>
internal sealed class TlsRecordCounter(Stream inner) : Stream
{
    /// <summary>application_data; in TLS 1.3 also the outer type of every encrypted record.</summary>
    public const byte ApplicationData = 23;

    private readonly byte[] _header = new byte[5];
    private readonly List<(byte Type, int Length)> _records = [];
    private int _headerFilled;
    private int _bodyLeft;
    private bool _counting;

    /// <summary>The records received since <see cref="StartCounting"/>, in order: content type and encrypted length.</summary>
    public IReadOnlyList<(byte Type, int Length)> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public void StartCounting()
    {
        lock (_records)
        {
            _records.Clear();
            _counting = true;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Parse(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Parse(buffer.AsSpan(offset, read));
        return read;
    }

    private void Parse(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_bodyLeft > 0)
            {
                var skip = Math.Min(_bodyLeft, bytes.Length);
                _bodyLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }

            var take = Math.Min(_header.Length - _headerFilled, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            bytes = bytes[take..];
            if (_headerFilled == _header.Length)
            {
                _headerFilled = 0;
                _bodyLeft = (_header[3] << 8) | _header[4];
                lock (_records)
                {
                    if (_counting)
                    {
                        _records.Add((_header[0], _bodyLeft));
                    }
                }
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
