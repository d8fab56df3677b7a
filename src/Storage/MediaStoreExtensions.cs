using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vod.ServiceDefaults;

namespace Vod.Storage;

public static class MediaStoreExtensions
{
    /// <summary>
    /// The <c>Media</c> options (validated at start) and the <see cref="IMediaStore"/> they name: the local directory
    /// by default, an S3 bucket with <c>Media:Store=S3</c>.
    /// </summary>
    public static IServiceCollection AddMediaStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MediaStoreOptions>(configuration, MediaStoreOptions.Section);
        services.AddSingleton<LocalMediaStore>();
        services.AddSingleton<S3MediaStore>();
        services.AddSingleton<IMediaStore>(sp => sp.GetRequiredService<IOptions<MediaStoreOptions>>().Value.Store switch
        {
            MediaStoreKind.S3 => sp.GetRequiredService<S3MediaStore>(),
            _ => sp.GetRequiredService<LocalMediaStore>(),
        });
        // Resumable uploads keep their bytes in the same store as the titles (shared by every origin).
        services.AddSingleton<IPartialUploadStore>(sp => (IPartialUploadStore)sp.GetRequiredService<IMediaStore>());
        return services;
    }
}
