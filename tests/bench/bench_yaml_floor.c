/* The floor for the diff benchmark: a bare libyaml parse (every event of
 * every document) of the given files, nothing built from it.
 *   bench_yaml_floor FILE...   prints the number of events */
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

int
main(int argc, char **argv)
{
        unsigned long events = 0;
        for (int i = 1; i < argc; i++) {
                FILE *f = fopen(argv[i], "rb");
                if (!f) {
                        perror(argv[i]);
                        return 2;
                }
                yaml_parser_t p;
                yaml_parser_initialize(&p);
                yaml_parser_set_input_file(&p, f);
                for (;;) {
                        yaml_event_t ev;
                        if (!yaml_parser_parse(&p, &ev)) {
                                fprintf(stderr, "%s: %s\n", argv[i],
                                        p.problem ? p.problem : "error");
                                return 2;
                        }
                        int done = ev.type == YAML_STREAM_END_EVENT;
                        yaml_event_delete(&ev);
                        events++;
                        if (done)
                                break;
                }
                yaml_parser_delete(&p);
                fclose(f);
        }
        printf("%lu\n", events);
        return 0;
}
