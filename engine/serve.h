/* `timone serve`: the controller daemon (engine/serve.c). */
#pragma once

int eng_cli_serve(int argc, char **argv);
