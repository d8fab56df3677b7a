using System.Security.Cryptography;
using StackExchange.Redis;
using Vod.Common.Webhooks;
using Vod.Origin.Admin;
using Vod.ServiceDefaults;

namespace Vod.Origin.Webhooks;

/// <summary>What an admin sends to register an endpoint; <see cref="Events"/> null or empty means every event.</summary>
internal sealed record WebhookRegistration(string? Url, IReadOnlyList<string>? Events);

/// <summary>An endpoint as <c>GET /api/webhooks</c> shows it (never its secret), with its recent deliveries.</summary>
internal sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, IReadOnlyList<DeliveryRecord>? Deliveries, string? DeliveriesError);

/// <summary>The answer to a registration: the only time the secret is shown.</summary>
internal sealed record WebhookCreated(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, string Secret);

/// <summary><c>/api/webhooks</c> (admin): register, list with recent deliveries, delete.</summary>
internal static class WebhookEndpoints
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<WebhookOptions>(configuration, WebhookOptions.Section)
            .Validate(o => WebhookTargets.TryParseNetworks(o.AllowedNetworks, out _), "Webhooks:AllowedNetworks must be comma-separated addresses or networks (10.0.0.0/8, fd00::/8)")
            .Validate(o => o.FirstRetryDelay <= o.MaxRetryDelay, "Webhooks:FirstRetryDelay must not exceed Webhooks:MaxRetryDelay");
        services.AddSingleton<WebhookRegistry>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<TitleTransitions>();
        services.AddHostedService(sp => sp.GetRequiredService<TitleTransitions>());
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks", async (WebhookRegistration? body, WebhookRegistry registry, Microsoft.Extensions.Options.IOptions<WebhookOptions> options, TimeProvider time, CancellationToken ct) =>
        {
            if (body is null)
            {
                return Results.Problem("send JSON: { \"url\": \"https://...\", \"events\": [\"title.ready\", ...] }", statusCode: StatusCodes.Status400BadRequest);
            }

            var events = body.Events is { Count: > 0 } chosen ? chosen.Distinct(StringComparer.Ordinal).ToList() : [.. WebhookEvent.Types];
            if (events.FirstOrDefault(e => !WebhookEvent.Types.Contains(e)) is { } unknown)
            {
                return Results.Problem($"unknown event '{unknown}': the events are {string.Join(", ", WebhookEvent.Types)}", statusCode: StatusCodes.Status400BadRequest);
            }

            var targets = WebhookTargets.From(options.Value);
            var refusal = targets.CheckUrl(body.Url, out var uri) ?? await targets.CheckResolvedAsync(uri!, ct);
            if (refusal is not null)
            {
                return Results.Problem(refusal, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The webhook target is refused");
            }

            var endpoint = new WebhookEndpoint(NewId(), uri!.AbsoluteUri, events, WebhookSignature.NewSecret(), time.GetUtcNow());
            await registry.AddAsync(endpoint, ct);
            return Results.Created($"/api/webhooks/{endpoint.Id}", new WebhookCreated(endpoint.Id, endpoint.Url, endpoint.Events, endpoint.CreatedAt, endpoint.Secret));
        }).RequireAdminKey();

        app.MapGet("/api/webhooks", async (WebhookRegistry registry, WebhookOutbox outbox, CancellationToken ct) =>
        {
            var views = new List<WebhookView>();
            foreach (var endpoint in await registry.CurrentAsync(ct, fresh: true))
            {
                try
                {
                    views.Add(new WebhookView(endpoint.Id, endpoint.Url, endpoint.Events, endpoint.CreatedAt, await outbox.RecentAsync(endpoint.Id), null));
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Registrations live in the store: they are listed even while Redis, which holds the records, is away.
                    views.Add(new WebhookView(endpoint.Id, endpoint.Url, endpoint.Events, endpoint.CreatedAt, null, "delivery records unavailable (Redis)"));
                }
            }

            return Results.Ok(views);
        }).RequireAdminKey();

        app.MapDelete("/api/webhooks/{id}", async (string id, WebhookRegistry registry, WebhookOutbox outbox, CancellationToken ct) =>
        {
            if (!WebhookEndpoint.IsValidId(id) || !await registry.RemoveAsync(id, ct))
            {
                return Results.Problem($"no webhook endpoint with id '{id}'", statusCode: StatusCodes.Status404NotFound);
            }

            try
            {
                await outbox.ForgetAsync(id);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // The records expire with nothing pointing at them; pending deliveries are dropped when they come due.
            }

            return Results.NoContent();
        }).RequireAdminKey();

        return app;
    }

    private static string NewId()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return WebhookEndpoint.IdPrefix + RandomNumberGenerator.GetString(Alphabet, 20);
    }
}
