using System.IO.Pipelines;

namespace Vod.ServiceDefaults.Tls;

/// <summary>A connection's transport with one side replaced.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
