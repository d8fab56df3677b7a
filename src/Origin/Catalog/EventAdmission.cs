using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace Vod.Origin.Catalog;

/// <summary>
/// Caps the open event streams per client address and in all (<see cref="EventsOptions"/>). A stream is admitted
/// before it starts and holds its place until the request ends (the lease is disposed with the response), so a client
/// cannot hold more than its share of connections and memory by opening streams it never reads.
/// </summary>
internal sealed class EventAdmission(IOptions<EventsOptions> options)
{
    /// <summary>What a refused client is told to wait: streams end when their clients leave, so places free up soon.</summary>
    public const int RetryAfterSeconds = 5;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _total;

    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>A place for one stream of <paramref name="client"/>, or null with the answer that refuses it (429 or 503).</summary>
    public IDisposable? TryAdmit(IPAddress client, out IResult? refusal)
    {
        var o = options.Value;
        client = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        lock (_gate)
        {
            if (_total >= o.MaxConnections)
            {
                refusal = Refuse(StatusCodes.Status503ServiceUnavailable, "Service Unavailable", "too many open event streams on this origin: try again later");
                return null;
            }

            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= o.MaxPerClient)
            {
                refusal = Refuse(StatusCodes.Status429TooManyRequests, "Too Many Requests",
                    $"at most {o.MaxPerClient} open event streams per client address: close one first");
                return null;
            }

            _perClient[client] = mine + 1;
            _total++;
        }

        refusal = null;
        return new Place(this, client);
    }

    private void Release(IPAddress client)
    {
        lock (_gate)
        {
            _total--;
            if (_perClient[client] <= 1)
            {
                _perClient.Remove(client);
            }
            else
            {
                _perClient[client]--;
            }
        }
    }

    private static RetryAfterResult Refuse(int status, string title, string detail) => new RetryAfterResult(Results.Problem(detail, statusCode: status, title: title));

    private sealed class RetryAfterResult(IResult inner) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    private sealed class Place(EventAdmission owner, IPAddress client) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(client);
            }
        }
    }
}
