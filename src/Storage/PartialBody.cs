using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Vod.Storage;

/// <summary>The copy loop both stores use to receive a chunk of a resumable upload.</summary>
internal static class PartialBody
{
    /// <summary>
    /// Copies at most <paramref name="maxBytes"/> from the request body. A body that fails to read (the connection reset,
    /// a body shorter than its Content-Length, the request aborted) ends the copy without an error: what arrived is kept,
    /// as tus asks. A write failure (a full disk) is thrown.
    /// </summary>
    /// <exception cref="PartialUploadException">More than <paramref name="maxBytes"/> arrived.</exception>
    public static async Task<(long Bytes, bool Interrupted)> CopyAsync(Stream body, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
                {
                    throw TooLarge(maxBytes);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    return (total, true);
                }

                if (read == 0)
                {
                    return (total, false);
                }

                if (total + read > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }

                await target.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static PartialUploadException TooLarge(long maxBytes) =>
        new(PartialUploadProblem.TooLarge, $"the request body goes beyond Upload-Length: the upload has {maxBytes} bytes left");
}
