using Vod.ServiceDefaults;

namespace Vod.Edge.Caching;

internal static class CachingExtensions
{
    public static IServiceCollection AddSliceCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CacheOptions>(configuration, CacheOptions.Section);
        services.AddSingleton<MemoryEdgeCacheStore>();
        services.AddSingleton<ISharedCacheStore, RedisEdgeCacheStore>();
        services.AddSingleton<FillCoalescer>();
        services.AddSingleton<FleetFill>();
        services.AddSingleton<ReadAhead>();
        services.AddSingleton<TitleGenerations>();
        services.AddSingleton<SliceCache>();
        services.AddHostedService<PurgeListener>();
        return services;
    }
}
