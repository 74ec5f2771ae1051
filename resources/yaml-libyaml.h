/* libyaml's <yaml.h>. Inside resources/ a plain <yaml.h> finds our own
 * resources/yaml.h first (meson puts the target's folder on the include
 * path), so include this header with angle brackets and let include_next
 * go on to the system's. */
#pragma once
#include_next <yaml.h>
