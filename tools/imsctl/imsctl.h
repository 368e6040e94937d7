/*
 * imsctl: the operator's command-line tool. Each subcommand lives in its own
 * file and has one entry point with the usual (argc, argv) shape, where argv[0]
 * is the subcommand name. Exit codes: 0 success, 1 operation failed,
 * 2 usage or input error.
 */
#ifndef IMSCTL_H
#define IMSCTL_H

int imsctl_aka_main(int argc, char **argv);
int imsctl_subscriber_main(int argc, char **argv);
int imsctl_hss_main(int argc, char **argv);
int imsctl_reg_main(int argc, char **argv);
int imsctl_pcscf_main(int argc, char **argv);

#endif
