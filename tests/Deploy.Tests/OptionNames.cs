using System.Collections;
using System.Reflection;

namespace Vod.Deploy.Tests;

/// <summary>
/// Whether an environment variable is a setting a service reads: <c>Section__Property[__Nested...]</c> must name a
/// property of an options class (a class with a <c>const string Section</c>) in the service's assembly or the Vod
/// assemblies it references, as the configuration binder would bind it. Framework variables (<c>ASPNETCORE_*</c>,
/// <c>DOTNET_*</c>) are read by the host. A renamed option makes every manifest that still sets the old name fail here.
/// </summary>
/// <remarks>
/// A service is credited with every options class of the assemblies it references (Common's <c>Media</c> section counts
/// for the edge too, though only origins and transcoders bind it): which classes a service binds is decided in code.
/// </remarks>
internal static class OptionNames
{
    public static bool IsFrameworkVariable(string name) =>
        name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.StartsWith("DOTNET_", StringComparison.Ordinal);

    /// <summary>Null when the service reads <paramref name="name"/>; else why not.</summary>
    public static string? Check(ServiceKind service, string name)
    {
        if (IsFrameworkVariable(name))
        {
            return null;
        }

        var path = name.Split("__");
        if (path.Length < 2 || path.Any(p => p.Length == 0))
        {
            return $"'{name}' is not Section__Property (nor an ASPNETCORE_/DOTNET_ variable)";
        }

        var sections = SectionTypes(service).Where(t => string.Equals(SectionOf(t), path[0], StringComparison.OrdinalIgnoreCase)).ToList();
        if (sections.Count == 0)
        {
            return $"no options class of {service.Name} has Section \"{path[0]}\" (its sections: "
                + string.Join(", ", SectionTypes(service).Select(SectionOf).Distinct().Order(StringComparer.Ordinal)) + ")";
        }

        return sections.Any(t => Binds(t, path.AsSpan(1)))
            ? null
            : $"'{name}' names no property of {string.Join(" or ", sections.Select(t => t.FullName))}";
    }

    /// <summary>The options classes a service may bind: those of its assembly and of every Vod assembly it references.</summary>
    public static IReadOnlyList<Type> SectionTypes(ServiceKind service)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([service.Assembly]);
        var types = new List<Type>();
        while (queue.TryDequeue(out var assembly))
        {
            if (!seen.Add(assembly.GetName().Name!))
            {
                continue;
            }

            types.AddRange(assembly.GetTypes().Where(t => t.IsClass && SectionOf(t) is not null));
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Vod.", StringComparison.Ordinal)))
            {
                queue.Enqueue(Assembly.Load(reference));
            }
        }

        return types;
    }

    public static string? SectionOf(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.FieldType == typeof(string)
            ? (string?)field.GetRawConstantValue()
            : null;

    /// <summary>Whether the binder would set something for this key path below an object of this type.</summary>
    private static bool Binds(Type type, ReadOnlySpan<string> path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (path.Length == 0)
        {
            return IsScalar(type);
        }

        if (IsScalar(type))
        {
            return false;
        }

        if (DictionaryValue(type) is { } value)
        {
            return Binds(value, path[1..]);
        }

        if (CollectionElement(type) is { } element)
        {
            return int.TryParse(path[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
                && Binds(element, path[1..]);
        }

        var name = path[0];
        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.GetIndexParameters().Length == 0);
        if (property is null)
        {
            return false;
        }

        // The binder sets a property with a public setter; a get-only one only when it holds an object to bind into.
        var settable = property.SetMethod is { IsPublic: true };
        var fillable = property.GetMethod is { IsPublic: true } && !IsScalar(property.PropertyType)
            && (DictionaryValue(property.PropertyType) is not null || !property.PropertyType.IsInterface);
        return (settable || fillable) && Binds(property.PropertyType, path[1..]);
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);
    }

    private static Type? DictionaryValue(Type type) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
        ?.GetGenericArguments()[1];

    private static Type? CollectionElement(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : typeof(IEnumerable).IsAssignableFrom(type)
                ? (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>) ? type : type.GetInterfaces()
                    .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))?.GetGenericArguments()[0]
                : null;
}
