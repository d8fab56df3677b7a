using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Vod.Origin.Webhooks;

/// <summary>
/// Sends what the outbox says is due, on every origin at once: each poll (<see cref="WebhookOptions.PollInterval"/>)
/// takes the due deliveries, claims each (one origin wins a given attempt), POSTs the stored body signed afresh, and
/// records the outcome: delivered on 2xx, else retried on the back-off schedule or given up. The endpoint's URL and
/// secret are read at the attempt (a deleted endpoint's deliveries are dropped), and every connection goes through the
/// SSRF guard, so a name that now resolves inside is refused. Redirects are not followed (a 3xx is a failure).
/// </summary>
internal sealed class WebhookDispatcher : BackgroundService
{
    private readonly WebhookOutbox _outbox;
    private readonly WebhookRegistry _registry;
    private readonly WebhookTargets _targets;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _client;
    private readonly SemaphoreSlim _slots;

    public WebhookDispatcher(WebhookOutbox outbox, WebhookRegistry registry, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _outbox = outbox;
        _registry = registry;
        _options = options.Value;
        _targets = WebhookTargets.From(_options);
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrentDeliveries);
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false, // a proxy would connect for us, past the guard
            ConnectCallback = _targets.ConnectAsync,
            ConnectTimeout = _options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1), // names are resolved (and checked) again at least this often
        })
        { Timeout = _options.Timeout };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("vod-webhooks", "1"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveAll(t => t.IsCompleted);
                try
                {
                    var free = _slots.CurrentCount;
                    if (free > 0)
                    {
                        foreach (var id in await _outbox.DueAsync(_time.GetUtcNow(), free))
                        {
                            if (await _outbox.ClaimAsync(id, _time.GetUtcNow(), _options.Lease) is { } delivery)
                            {
                                await _slots.WaitAsync(stoppingToken);
                                running.Add(RunAsync(delivery, stoppingToken));
                            }
                        }
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    Log.WebhookOutboxUnavailable(_logger, e.Message);
                }

                await Task.Delay(_options.PollInterval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Attempts in flight finish or are cancelled; an unfinished one is taken over by another origin after its lease.
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        try
        {
            var endpoint = (await _registry.CurrentAsync(stoppingToken)).FirstOrDefault(e => e.Id == delivery.EndpointId)
                ?? (await _registry.CurrentAsync(stoppingToken, fresh: true)).FirstOrDefault(e => e.Id == delivery.EndpointId);
            if (endpoint is null)
            {
                await _outbox.DropAsync(delivery, _time.GetUtcNow());
                return;
            }

            var result = await SendAsync(endpoint.Url, endpoint.Secret, delivery, stoppingToken);
            var now = _time.GetUtcNow();
            var step = DeliverySchedule.AfterAttempt(result, delivery.Attempts, delivery.FirstAttempt, now, _options, Random.Shared.NextDouble());
            if (!await _outbox.CompleteAsync(delivery, step, result, now))
            {
                Log.WebhookClaimLost(_logger, delivery.EventId, endpoint.Id);
            }
            else if (step.State == DeliveryState.Delivered)
            {
                Log.WebhookDelivered(_logger, delivery.EventId, delivery.Type, endpoint.Id, delivery.Attempts);
            }
            else
            {
                Log.WebhookAttemptFailed(_logger, delivery.EventId, endpoint.Id, delivery.Attempts, result.Describe, step.State == DeliveryState.GaveUp ? "given up" : $"next at {step.NextAttempt:O}");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RedisException or TimeoutException or IOException)
        {
            // The outcome could not be recorded: the lease runs out and the attempt is made again (at-least-once).
            Log.WebhookOutboxUnavailable(_logger, e.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<AttemptResult> SendAsync(string url, string secret, ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        if (_targets.CheckUrl(url, out var uri) is { } refusal)
        {
            return new AttemptResult(null, "target refused: " + refusal);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.HeaderValue(secret, _time.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventIdHeader, delivery.EventId);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken);
            return new AttemptResult((int)response.StatusCode, (int)response.StatusCode is >= 300 and <= 399 ? "redirect not followed" : null);
        }
        catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new AttemptResult(null, $"timed out after {_options.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            // What happened, without the stack: "target refused: ... is a private address ...", "could not connect:
            // Connection refused (127.0.0.1:9)". The handler's message already carries what the connect step threw.
            return new AttemptResult(null, e.Message);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _slots.Dispose();
        base.Dispose();
    }
}
