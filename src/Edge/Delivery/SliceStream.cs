using Vod.Common.Hls;
using Vod.Edge.Caching;
using Vod.Edge.OriginClient;

namespace Vod.Edge.Delivery;

/// <summary>
/// A read-only, seekable view of a cached object that fetches slices as it is read. Handing it to the framework's
/// file result lets ASP.NET Core do the HTTP semantics (ranges, 206/416, If-Range, 304/412, HEAD) while only the
/// slices a range covers are ever loaded: a 2 GiB rendition is never held whole.
/// </summary>
internal sealed class SliceStream(SliceCache cache, MediaPath path, ObjectMeta meta, CancellationToken requestAborted) : Stream
{
    private byte[]? _slice;
    private long _sliceIndex = -1;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => meta.Size;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= meta.Size || buffer.Length == 0)
        {
            return 0;
        }

        var index = _position / cache.SliceBytes;
        if (index != _sliceIndex)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestAborted);
            _slice = await cache.GetSliceAsync(path, meta, index, linked.Token);
            _sliceIndex = index;
        }

        var offset = (int)(_position - (index * cache.SliceBytes));
        var count = Math.Min(buffer.Length, _slice!.Length - offset);
        _slice.AsMemory(offset, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => meta.Size + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
