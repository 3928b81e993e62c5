using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace PfnStudio.Tokens.Pages;

/// <summary>
/// A posted boolean that is not a boolean (<c>Input.RememberMe=notabool</c>) is already a model error; but the
/// checkbox tag helper, drawing the form again, converts the posted text to <see cref="bool"/> and throws (a 500).
/// This filter forgets the posted text of every invalid boolean field before the page renders, so the form is
/// shown again with the field's own value and the message.
/// </summary>
internal sealed class UnreadableCheckboxFilter(IModelMetadataProvider metadata) : IPageFilter
{
    public void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
    }

    public void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
    }

    public void OnPageHandlerExecuted(PageHandlerExecutedContext context)
    {
        var modelState = context.ModelState;
        if (modelState.IsValid)
        {
            return;
        }

        foreach (var property in context.ActionDescriptor.BoundProperties)
        {
            var prefix = property.BindingInfo?.BinderModelName ?? property.Name;
            Forget(modelState, metadata.GetMetadataForType(property.ParameterType), prefix, depth: 0);
        }
    }

    private static void Forget(ModelStateDictionary modelState, ModelMetadata model, string key, int depth)
    {
        if (model.UnderlyingOrModelType == typeof(bool))
        {
            if (modelState.TryGetValue(key, out var entry) && entry.ValidationState == ModelValidationState.Invalid)
            {
                modelState.SetModelValue(key, rawValue: null, attemptedValue: null);
            }

            return;
        }

        if (depth < 3 && model.IsComplexType && !model.IsEnumerableType)
        {
            foreach (var child in model.Properties)
            {
                Forget(modelState, child, $"{key}.{child.PropertyName}", depth + 1);
            }
        }
    }
}
