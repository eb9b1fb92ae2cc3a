{% macro customer_feature_specs() %}
    {#-
        The numeric customer features in canonical order, each with its parser and domain rule.
        The bounds themselves are vars (dbt_project.yml); this is the one place that says which
        var governs which feature, so staging, validation and the docs never disagree.
    -#}
    {%- set age_range = var('valid_age_range') -%}
    {%- set spending_range = var('valid_spending_score_range') -%}
    {%- set engagement_range = var('valid_engagement_score_range') -%}
    {{ return([
        {'name': 'age', 'parser': 'whole_number',
         'min': age_range[0], 'min_inclusive': true, 'max': age_range[1]},
        {'name': 'annual_income', 'parser': 'money',
         'min': var('min_annual_income_exclusive'), 'min_inclusive': false, 'max': none},
        {'name': 'spending_score', 'parser': 'number',
         'min': spending_range[0], 'min_inclusive': true, 'max': spending_range[1]},
        {'name': 'total_purchase_amount', 'parser': 'money',
         'min': var('min_total_purchase_amount'), 'min_inclusive': true, 'max': none},
        {'name': 'engagement_score', 'parser': 'number',
         'min': engagement_range[0], 'min_inclusive': true, 'max': engagement_range[1]},
        {'name': 'retention_months', 'parser': 'whole_number',
         'min': var('min_retention_months'), 'min_inclusive': true, 'max': none},
    ]) }}
{% endmacro %}


{% macro customer_text_columns() %}
    {#- The non-numeric canonical columns; customer_id is required, gender optional. -#}
    {{ return(['customer_id', 'gender']) }}
{% endmacro %}


{% macro canonical_customer_columns() %}
    {%- set names = customer_text_columns() -%}
    {%- for feature in customer_feature_specs() -%}
        {%- do names.append(feature.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{% macro feature_within_domain(feature, column) %}
    {#- SQL predicate: the parsed value in `column` satisfies the feature's domain rule. -#}
    {{ column }} {{ '>=' if feature.min_inclusive else '>' }} {{ feature.min }}
    {%- if feature.max is not none %} and {{ column }} <= {{ feature.max }}{% endif %}
{% endmacro %}


{% macro describe_feature_domain(feature) %}
    {#- The domain rule in words, for error messages and docs. -#}
    {%- set lower = ('at least ' if feature.min_inclusive else 'above ') ~ feature.min -%}
    {{ return(lower ~ ((' and at most ' ~ feature.max) if feature.max is not none else '')) }}
{% endmacro %}


{% macro required_customer_columns() %}
    {#- customer_id and the features every row must have (var required_features). -#}
    {{ return(['customer_id'] + var('required_features')) }}
{% endmacro %}


{% macro optional_customer_features() %}
    {#- Features a file may lack; a missing value in one is imputed, not rejected. -#}
    {%- set optional = [] -%}
    {%- for feature in customer_feature_specs() if feature.name not in var('required_features') -%}
        {%- do optional.append(feature.name) -%}
    {%- endfor -%}
    {{ return(optional) }}
{% endmacro %}
